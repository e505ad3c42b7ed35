"""Make samples/returns: every council of one region, filled plausibly, plus problem files.

    python scripts/make_sample_returns.py [--region "North East"] [--out samples/returns]

Deterministic (seeded) and built by the project's own generator. One return is re-saved
by LibreOffice as .ods, as many councils' software does (needs `soffice` on the PATH).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from npsxl.model.defaults import packaged_register  # noqa: E402
from npsxl.model.loading import load_model  # noqa: E402
from npsxl.workbook.demo import make_returns  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="North East")
    parser.add_argument("--out", type=Path, default=ROOT / "samples" / "returns")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    model = load_model(ROOT / "model.yaml")
    councils = packaged_register("2018").in_region(args.region)
    if args.out.exists():
        shutil.rmtree(args.out)
    made = make_returns(model, councils, args.out, seed=args.seed, missing_share=0.15, round="2026")
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: install libreoffice-calc-nogui to make the .ods sample")
        return 2
    source = made.returns[-1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "ods",
                "--outdir",
                str(args.out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    source.unlink()  # the council sent the .ods instead
    print(
        f"{len(made.returns)} returns ({source.stem}.ods re-saved by LibreOffice), "
        f"{len(made.faulty)} problem files, not returned: "
        + ", ".join(c.name for c in made.missing)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
