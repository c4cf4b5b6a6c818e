#!/usr/bin/env bash
# Sets up everything oso-sim needs on a fresh Debian/Ubuntu machine: a virtualenv with the
# project, its test tools, Locust and WeasyPrint (the PDF report, whose tests then run too), and
# headless Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,load,pdf]'

# The browser tests drive Debian's Chromium through Playwright (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "Let op: chromium ontbreekt; de browsertests worden overgeslagen." \
             "Installeer het pakket 'chromium' (apt-get install chromium)." >&2
    fi
fi
echo "Klaar: .venv/bin/oso-sim staat klaar."
