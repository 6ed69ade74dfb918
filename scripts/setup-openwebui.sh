#!/usr/bin/env bash
# Optional: Open WebUI in .venv-openwebui/ for the browser test tests/web/test_open_webui.py (skipped without it).
# A venv of its own: Open WebUI pins other FastAPI/pydantic/chromadb versions than the assistant. ~3 GB, ~7 min
# on 2 cores (measured: 245 packages, 2.9 GB); torch is the same CPU build as in .venv (pip's local wheel folder).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.12.4
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ -x .venv-openwebui/bin/open-webui ] && [ "$(cat .venv-openwebui/.awt-version 2>/dev/null)" = "$VERSION" ]; then
  echo "• Open WebUI $VERSION is al geïnstalleerd."
  exit 0
fi
echo "• Open WebUI $VERSION installeren in .venv-openwebui/ (eenmalig, ~7 minuten)…"
"$PYTHON" -m venv .venv-openwebui
.venv-openwebui/bin/python -m pip install --quiet --disable-pip-version-check "open-webui==$VERSION" "torch==2.13.0"
echo "$VERSION" > .venv-openwebui/.awt-version
