#!/usr/bin/env bash
# Set everything up (including chromium and nginx for the browser/proxy tests), run all tests, then the eval gate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
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

mkdir -p test-artifacts
# the layers (knowledge -> index -> assistant -> evals) and no import cycles: pyproject.toml [tool.importlinter]
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest tests
.venv/bin/python -m evals run --output test-artifacts/eval --no-progress
# the frozen blind set: its own floor (evals/gate.py BLIND_THRESHOLDS), never a baseline to tune against
.venv/bin/python -m evals run --dataset evals/blind-1.jsonl --profile blind --output test-artifacts/eval-blind-1 --no-progress
