#!/usr/bin/env bash
# Set up and run nnbook: `./dev.sh serve` builds the book and serves it at
# http://127.0.0.1:8000; `./dev.sh test` runs the whole test suite. Each makes its
# own virtual environment (.venv) and installs what it needs on first use.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=${NNBOOK_VENV:-.venv}

ensure_venv() {
    # (Re)install when the venv is missing or pyproject.toml changed since last time.
    local stamp="$VENV/.nnbook-installed"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PY" -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e ".[test,docs]" ${NNBOOK_EXTRA_PIP:-}
        touch "$stamp"
    fi
}

ensure_node() {
    # KaTeX renders the book's math at build time; it comes from npm, pinned by the lock file.
    if [ ! -d node_modules/katex ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --silent --no-audit --no-fund
    fi
}

cmd=${1:-}
shift || true
case "$cmd" in
    serve)
        ensure_venv; ensure_node
        export NO_MKDOCS_2_WARNING=1
        exec "$VENV/bin/mkdocs" serve --dev-addr 127.0.0.1:8000 "$@"
        ;;
    test)
        ensure_venv; ensure_node
        export NO_MKDOCS_2_WARNING=1
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh serve | test [pytest args]" >&2
        exit 2
        ;;
esac
