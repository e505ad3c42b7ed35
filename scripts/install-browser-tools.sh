#!/usr/bin/env bash
# Install what the report tests need beyond Python: Debian's headless Chromium and its
# driver (the reports' PDF engine, and the browser the tests open the reports in), the
# Liberation fonts (metric-compatible with Arial, the brand font) and axe-core from npm
# (tests/browser/package-lock.json). Each is installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
fc-list 2>/dev/null | grep -q "Liberation Sans" || packages+=(fonts-liberation)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ "${#packages[@]}" -gt 0 ]; then
  echo "Installing ${packages[*]} (Debian packages) for the report tests"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "Installing axe-core (npm) for the accessibility tests"
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
