#!/usr/bin/env bash
# Install what the tests need (pip packages; LibreOffice Calc and poppler from Debian when
# missing), run the linters and the whole test suite, then build the wheel, install it in a
# fresh virtual environment and run the README's quick start with it from an empty folder.
# Used by the README and by CI. Arguments are passed to pytest.
#
# Each step is a section below; add a step as a section of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n=== %s\n' "$*"; }

# --- system packages ------------------------------------------------------------------------------
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
  || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  section "Installing LibreOffice Calc, its Python bridge and poppler-utils (Debian packages) for the round-trip tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq libreoffice-calc-nogui python3-uno poppler-utils >/dev/null
fi

# --- the browser tools for the report tests -----------------------------------------------------
section "Chromium, chromedriver and axe-core for the report tests (installed when missing)"
bash scripts/install-browser-tools.sh

# --- the package and its test extras, from the clone ----------------------------------------------
section "Installing npsxl (editable) with its test extras"
python -m pip install -q --disable-pip-version-check -e '.[test]'

# --- lint -----------------------------------------------------------------------------------------
section "ruff"
python -m ruff check .
python -m ruff format --check .

section "mypy"
python -m mypy

# --- the test suite -------------------------------------------------------------------------------
section "pytest"
python -m pytest "$@"

# --- the installed package ------------------------------------------------------------------------
# What a user gets from `pip install`: the wheel, in a virtual environment of its own, run from
# a folder that is not the clone, so that nothing but the installed package can be found.
section "The wheel, installed in a fresh virtual environment, run from an empty folder"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src" "$work/run"
# The wheel is built from a copy of the sources: a build/ folder left in the clone by an
# earlier build would otherwise lend the wheel files that no longer exist.
tar -c --exclude=./.git --exclude=./build --exclude=./dist --exclude=./output --exclude=./.venv \
  --exclude='*.egg-info' --exclude='*_cache' --exclude=__pycache__ . | tar -x -C "$work/src"
python -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$work/src"
python -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work"/dist/npsxl-*.whl

installed() { (cd "$work/run" && env -u PYTHONPATH PATH="$work/venv/bin:$PATH" "$@"); }
expect() {  # expect EXIT_CODE COMMAND...: run it as the user would, and check its exit code
  local want=$1 got=0
  shift
  installed "$@" >"$work/out" 2>"$work/err" || got=$?
  tail -n 3 "$work/out"  # the last lines: the summary
  if [ "$got" -ne "$want" ]; then
    cat "$work/err" >&2
    echo "FAILED: $* exited $got, not $want" >&2
    exit 1
  fi
}

location=$(installed python -c 'import npsxl; print(npsxl.__file__)')
case $location in
  "$work/venv/"*) echo "npsxl imported from the virtual environment: $location" ;;
  *) echo "FAILED: npsxl was imported from $location, not the installed wheel" >&2; exit 1 ;;
esac

# The README's quick start is "python -m pip install -e . && npsxl ...": its npsxl command.
quick_start=$(awk '/^## Quick start/ {q = 1} q && /^```sh/ {getline; print; exit}' README.md)
main_job=${quick_start#*&& }
case $main_job in npsxl\ *) ;; *) echo "FAILED: no quick start in README.md" >&2; exit 1 ;; esac
expect 0 bash -c "$main_job"
grep -qx "model: the packaged model (.*)" "$work/err"
test "$(find "$work/run/output" -name '*.xlsx' | wc -l)" -eq 353
test -f "$work/run/output/manifest.csv"

expect 0 npsxl demo
# The demo's returns include three faulty files: a half-done return (it counts for what it
# answers) and two that validate and collate reject (exit 1).
expect 1 npsxl validate output/demo/returns
grep -q "accepted with warnings, 2 rejected" "$work/out"
expect 1 npsxl collate output/demo/returns
test -f "$work/run/output/nps-summary.xlsx" && test -f "$work/run/output/data/answers.csv"
expect 0 npsxl model check
echo "The installed package works from an empty folder."
