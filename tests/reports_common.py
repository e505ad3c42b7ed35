"""What the report tests share: a small two-round collation written out by hand (with a
council whose name and texts are hostile), headless Chromium through selenium, and axe-core.

The collation: round 2025 from Alpha, Beta and Gamma; round 2026 from Alpha, Beta, Gamma,
Delta (who left L1's current level blank) and Zeta, whose register name and whose evidence
and actions are the kind of text that must stay text. London (Epsilon) returned nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import LEVELS, ROOT

from npsxl.collation.collation import collate_returns
from npsxl.model.answers import Answer, Respondent
from npsxl.model.loading import load_model
from npsxl.model.register_csv import load_register
from npsxl.reading.returns import Return

MODEL = load_model(ROOT / "model.yaml")
ITEMS = tuple(item.id for item in MODEL.items)
SCRIPT = "<script>alert('pwned')</script>"
FORMULA = "=cmd|' /C calc'!A0"
MARKUP = 'Fish & chips <b>bold</b> <img src="http://example.org/x.png"> "quoted"'
HOSTILE_NAME = f'Zeta {SCRIPT} & "Sons" {FORMULA}'
REGISTER_CSV = f"""code,name,region,council_type
E06000001,Alpha Council,North East,unitary
E07000002,Beta District Council,North East,district
E07000003,Gamma District Council,North West,district
E06000004,Delta Council,North West,unitary
E09000005,London Borough of Epsilon,London,London borough
E06000099,"{HOSTILE_NAME.replace('"', '""')}",North East,unitary
"""
ALPHA, BETA, GAMMA, DELTA, EPSILON, ZETA = (
    "E06000001",
    "E07000002",
    "E07000003",
    "E06000004",
    "E09000005",
    "E06000099",
)
RESPONDENT = Respondent("Pat Secretname", "Head of Procurement", "pat.secret@example.org")

# (current, target) scores per council and round; every other item as the default
ROUND_2025 = {ALPHA: ((2, 3), {}), BETA: ((3, 4), {"C1": (2, 4)}), GAMMA: ((1, 2), {})}
ROUND_2026 = {
    ALPHA: ((3, 4), {"L1": (2, 5)}),
    BETA: ((3, 4), {"C1": (3, 4), "E4": (4, 3)}),
    GAMMA: ((1, 3), {}),
    DELTA: ((4, 5), {"L1": (None, 5)}),
    ZETA: ((2, 2), {}),
}


def scores(plan, item: str) -> tuple[int | None, int | None]:
    default, overrides = plan
    return overrides.get(item, default)


def make_return(register, code: str, round_: str, plan, texts=None) -> Return:
    council = register.by_code(code)
    answers = {}
    for item in ITEMS:
        current, target = scores(plan, item)
        evidence, actions = (texts or {}).get(item, (f"Evidence {item}", f"Actions {item}"))
        answers[item] = Answer(
            item,
            LEVELS[current - 1] if current else None,
            LEVELS[target - 1] if target else None,
            evidence,
            actions,
            dt.date(2027, 3, 31),
        )
    return Return(
        path=f"{code}-{round_}.xlsx",
        format="xlsx",
        council=council,
        council_code=code,
        council_name=council.name,
        model_id=MODEL.id,
        model_version=MODEL.version,
        model_fingerprint=MODEL.fingerprint,
        round=round_,
        answers=answers,
        respondent=RESPONDENT,
        item_count=len(ITEMS),
    )


HOSTILE_TEXTS = {
    "L1": (SCRIPT, FORMULA),
    "L2": (MARKUP, "line one\nline two & <i>three</i>"),
}


def two_rounds(tmp_path: Path):
    """The collation described at the top, and its register."""
    path = tmp_path / "register.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8")
    register = load_register(path)
    returns = [make_return(register, code, "2025", plan) for code, plan in ROUND_2025.items()]
    for code, plan in ROUND_2026.items():
        texts = HOSTILE_TEXTS if code == ZETA else None
        returns.append(make_return(register, code, "2026", plan, texts))
    return collate_returns(returns, MODEL, register), register


# --- the browser --------------------------------------------------------------------------------
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BROWSER_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1000",
)


def needed(command: str, hint: str) -> str:
    """The path of a tool the tests need: failing (never skipping) when it is missing."""
    found = shutil.which(command)
    if found is None:
        pytest.fail(f"{command} is not installed; {hint}")
    return found


def browser():
    """Headless Debian Chromium through chromedriver, keeping the console and network logs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    hint = "bash scripts/install-browser-tools.sh installs it"
    chromium = needed("chromium", hint)
    driver_path = needed("chromedriver", hint)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    profile = tempfile.mkdtemp(prefix="npsxl-test-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.profile_dir = profile
    return driver


def close_browser(driver) -> None:
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


def run_axe(driver) -> dict:
    """axe-core's results for the open page, for the WCAG 2.0 and 2.1 A and AA rules."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing; bash scripts/install-browser-tools.sh installs axe-core")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        "  .then(r => done({violations: r.violations, passes: r.passes.map(p => p.id),"
        "                   incomplete: r.incomplete.map(p => p.id)}))"
        "  .catch(e => done({error: String(e)}));",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:5]]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')}: {targets}")
    return "\n".join(lines)


def pdf_info(path: Path) -> dict[str, str]:
    """pdfinfo's fields of a PDF (poppler-utils)."""
    pdfinfo = needed("pdfinfo", "apt-get install poppler-utils")
    out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True)
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.stdout.splitlines())
    )


def pdf_text(path: Path) -> str:
    pdftotext = needed("pdftotext", "apt-get install poppler-utils")
    out = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout
