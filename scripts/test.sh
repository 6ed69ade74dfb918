#!/usr/bin/env bash
# Set everything up (including chromium and nginx for the browser/proxy tests and axe-core for the accessibility
# test), run all tests, then the eval gate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "• Systeempakketten installeren: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Fout: installeer eerst: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# axe-core, pinned in tests/web/a11y/package-lock.json (tests/web/test_a11y.py injects it into the page);
# reinstalled only when the lockfile changed
a11y=tests/web/a11y
stamp=$a11y/node_modules/.awt-installed
want=$(sha256sum "$a11y/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "• axe-core installeren (npm ci in $a11y)"
  npm ci --prefix "$a11y" --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# Open WebUI in a venv of its own, for the front-end test tests/web/test_open_webui.py (~8 min once, then kept)
bash scripts/setup-openwebui.sh

mkdir -p test-artifacts
# the layers (knowledge -> index -> assistant -> evals) and no import cycles: pyproject.toml [tool.importlinter]
.venv/bin/lint-imports --no-cache
# lint, formatting and types (pyproject.toml: [tool.ruff], [tool.mypy]: strict on the product packages)
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/mypy --config-file tests/mypy.ini  # the tests: bodies checked, not strict (see the file for why apart)
.venv/bin/python -m pytest tests
.venv/bin/python -m evals run --output test-artifacts/eval --no-progress
# the frozen blind set: its own floor (evals/gate.py BLIND_THRESHOLDS), never a baseline to tune against
.venv/bin/python -m evals run --dataset evals/blind-1.jsonl --profile blind --output test-artifacts/eval-blind-1 --no-progress
# the multi-document gold set: the advice with the two documents evals/library generates into the run's own folder
# (evals/gate.py LIBRARY_THRESHOLDS and evals/baseline-library.json; re-baseline: add --update-baseline)
.venv/bin/python -m evals run --profile library --output test-artifacts/eval-library --no-progress
# the frozen blind multi-document set, with the same generated documents: its own floor (BLIND_LIBRARY_THRESHOLDS)
.venv/bin/python -m evals run --dataset evals/blind-library-1.jsonl --profile blind-library \
  --output test-artifacts/eval-blind-library-1 --no-progress
