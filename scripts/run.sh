#!/usr/bin/env bash
# Set everything up, then start the chat website and API (python -m assistant serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m assistant serve "$@"
