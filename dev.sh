#!/usr/bin/env bash
# Set up and run nnbook: `./dev.sh serve` builds the book and serves it at
# http://127.0.0.1:8000; `./dev.sh test` runs the whole test suite; `./dev.sh pdf`
# prints the whole book to book.pdf (needs Chromium). Each makes its
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
        # One BLAS thread, so that printed results do not depend on the machine's cores
        # (and small products do not wait on busy threads); the benchmark's own runs set theirs.
        export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    pdf)
        # The whole book as one PDF (book.pdf): the one-page book, printed by Chromium.
        ensure_venv; ensure_node
        export NO_MKDOCS_2_WARNING=1
        out=$(mktemp -d)
        "$VENV/bin/mkdocs" build --strict --quiet -d "$out/site"
        "$VENV/bin/python" -m http.server 8771 --bind 127.0.0.1 -d "$out/site" >/dev/null 2>&1 &
        server=$!
        trap 'kill $server 2>/dev/null; rm -rf "$out"' EXIT
        sleep 1
        "${CHROMIUM:-/usr/bin/chromium}" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
            --disable-background-networking --disable-component-update --disable-sync --no-first-run \
            --virtual-time-budget=20000 --print-to-pdf="$PWD/book.pdf" http://127.0.0.1:8771/print_page/
        echo "wrote book.pdf"
        ;;
    *)
        echo "usage: ./dev.sh serve | test [pytest args] | pdf" >&2
        exit 2
        ;;
esac
