#!/usr/bin/env bash
# Install what the tests need (pip packages; LibreOffice Calc and poppler from Debian when
# missing) and run the linters and the whole test suite. Used by the README and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  echo "Installing LibreOffice Calc and poppler-utils (Debian packages) for the round-trip tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null
fi

python -m pip install -q --disable-pip-version-check -e '.[test]'
python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
