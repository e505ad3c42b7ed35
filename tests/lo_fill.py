"""Type texts into a workbook in LibreOffice, as an officer would, and print it to PDF.

Run with the system Python, which has LibreOffice's ``uno`` module (Debian's python3-uno):

    /usr/bin/python3 tests/lo_fill.py JOB.json

JOB.json: {"workbook": path, "pdf": path, "saved": path or "", "profile": folder,
"cells": {defined name: text}}. Each text goes into the cell the defined name refers to
through LibreOffice's API (as typing does: the row's height adapts when it is not set by
hand), then the whole workbook is exported to ``pdf`` and, when ``saved`` is given, saved as
.xlsx there. Prints the height (1/100 mm) of every filled cell's row as JSON.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # noqa: F401  (LibreOffice's bridge: only in the system Python)
from com.sun.star.beans import PropertyValue


def _props(**values):
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def _connect(pipe: str, profile: Path):
    process = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.5)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    return process, desktop


def main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    process, desktop = _connect(f"npsxl{uuid.uuid4().hex}", Path(job["profile"]))
    try:
        url = Path(job["workbook"]).resolve().as_uri()
        doc = desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
        heights = {}
        names = doc.NamedRanges
        for name, text in job["cells"].items():
            cell = names.getByName(name).getReferredCells().getCellByPosition(0, 0)
            cell.setString(text)
        for name in job["cells"]:
            cells = names.getByName(name).getReferredCells()
            heights[name] = cells.getRows().getByIndex(0).Height
        doc.storeToURL(Path(job["pdf"]).resolve().as_uri(), _props(FilterName="calc_pdf_Export"))
        if job.get("saved"):
            doc.storeToURL(
                Path(job["saved"]).resolve().as_uri(), _props(FilterName="Calc MS Excel 2007 XML")
            )
        doc.close(True)
        print(json.dumps(heights))
    finally:
        with contextlib.suppress(Exception):
            desktop.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main(sys.argv[1])
