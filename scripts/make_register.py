#!/usr/bin/env python3
"""Derive a register of English councils from mySociety's local authority data.

Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0).
Anything this script writes must carry that credit (see npsxl/data/registers/README.md).

The register lists every English council that existed on a given date:

* nation is England;
* combined authorities (COMB) and strategic regional authorities (SRA, the
  Greater London Authority) are left out;
* the council existed: ``start-date`` is empty or on/before the date, and
  ``end-date`` is empty or after it.

Corrections applied to the reference data:

* Derbyshire County Council (DBY) and Lincolnshire County Council (LIN) are in
  the East Midlands (the reference file says West Midlands and Yorkshire and
  The Humber).
* Some abolished councils have no region in the reference file; they get the
  region of the council that replaced them (``replaced-by``, followed until a
  region is found).
* Runs of whitespace inside names are collapsed to one space.

Output columns: code (ONS GSS code), register_code (three-letter code), name,
short_name, region, council_type. Rows are sorted by region, then name.

Usage::

    python scripts/make_register.py [--reference PATH] [--date YYYY-MM-DD] [--out PATH]

    python scripts/make_register.py        # npsxl/data/registers/councils-2018.csv (2018-06-01)
    python scripts/make_register.py --date 2025-07-01 --out npsxl/data/registers/councils-2025.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = REPO_ROOT / "sources" / "uk_local_authorities_current.csv"
DEFAULT_OUT = REPO_ROOT / "npsxl" / "data" / "registers" / "councils-2018.csv"
DEFAULT_DATE = "2018-06-01"

CREDIT = "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)"

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

COUNCIL_TYPES = {
    "CTY": "county",
    "NMD": "district",
    "UA": "unitary",
    "MD": "metropolitan district",
    "LBO": "London borough",
    "CC": "City of London",
}
EXCLUDED_TYPES = {"COMB", "SRA"}

# Known errors in the reference file: register code -> correct region.
REGION_CORRECTIONS = {
    "DBY": "East Midlands",  # Derbyshire County Council
    "LIN": "East Midlands",  # Lincolnshire County Council
}

OUTPUT_COLUMNS = ("code", "register_code", "name", "short_name", "region", "council_type")
REQUIRED_REFERENCE_COLUMNS = (
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "start-date",
    "end-date",
    "replaced-by",
    "nation",
    "region",
    "local-authority-type",
)


class ScriptError(Exception):
    """A problem that stops the script; printed as one line."""


def read_reference(path: Path) -> list[dict[str, str]]:
    """Read the reference CSV, checking that the columns this script uses are present."""
    if not path.is_file():
        raise ScriptError(
            f"reference file not found: {path}\n"
            "  Pass --reference PATH to the mySociety uk_local_authorities_current.csv file."
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_REFERENCE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScriptError(f"{path}: missing column(s): {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def existed_on(row: dict[str, str], date: str) -> bool:
    """True if the council existed on ``date`` (ISO dates compare as strings)."""
    start, end = row["start-date"], row["end-date"]
    return (not start or start <= date) and (not end or end > date)


def region_of(row: dict[str, str], by_code: dict[str, dict[str, str]]) -> str:
    """The council's region, corrected, or inherited from its successor if missing."""
    seen: set[str] = set()
    current = row
    while True:
        code = current["local-authority-code"]
        region = REGION_CORRECTIONS.get(code) or current["region"]
        if region:
            return region
        seen.add(code)
        successors = [c.strip() for c in current["replaced-by"].split(",") if c.strip()]
        nxt = next((by_code[c] for c in successors if c in by_code and c not in seen), None)
        if nxt is None:
            raise ScriptError(f"no region for {row['official-name']} ({row['gss-code']})")
        current = nxt


def build_register(rows: list[dict[str, str]], date: str) -> list[dict[str, str]]:
    """Select English councils that existed on ``date`` and map them to output rows."""
    by_code = {r["local-authority-code"]: r for r in rows}
    register = []
    for row in rows:
        la_type = row["local-authority-type"]
        if row["nation"] != "England" or la_type in EXCLUDED_TYPES or not existed_on(row, date):
            continue
        if la_type not in COUNCIL_TYPES:
            raise ScriptError(
                f"unknown local-authority-type {la_type!r} for {row['official-name']}"
            )
        region = region_of(row, by_code)
        if region not in REGIONS:
            raise ScriptError(f"unknown region {region!r} for {row['official-name']}")
        register.append(
            {
                "code": row["gss-code"],
                "register_code": row["local-authority-code"],
                "name": " ".join(row["official-name"].split()),
                "short_name": " ".join(row["nice-name"].split()),
                "region": region,
                "council_type": COUNCIL_TYPES[la_type],
            }
        )
    register.sort(key=lambda r: (r["region"], r["name"]))
    return register


def write_register(register: list[dict[str, str]], out: Path) -> None:
    """Write the register as UTF-8 CSV with \\n line endings."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(register)


def parse_date(text: str) -> str:
    """Validate a YYYY-MM-DD date for argparse."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        description="Derive the register of English councils that existed on a date. " + CREDIT
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="mySociety uk_local_authorities_current.csv (default: %(default)s)",
    )
    parser.add_argument(
        "--date",
        type=parse_date,
        default=DEFAULT_DATE,
        help="councils that existed on this date (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="CSV to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        register = build_register(read_reference(args.reference), args.date)
    except ScriptError as exc:
        print(f"make_register: error: {exc}", file=sys.stderr)
        return 2
    write_register(register, args.out)
    types = Counter(r["council_type"] for r in register)
    regions = Counter(r["region"] for r in register)
    print(f"wrote {len(register)} councils existing on {args.date} to {args.out}")
    print("  by type: " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    print("  by region: " + ", ".join(f"{r} {regions[r]}" for r in REGIONS if regions[r]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
