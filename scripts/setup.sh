#!/usr/bin/env bash
# Set up everything the assistant needs in .venv/ (idempotent: a second run only checks).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Fout: Python 3.11 is nodig (gevonden: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "• Virtuele omgeving maken in .venv/"
  "$PYTHON" -m venv .venv
fi

# Reinstall only when the dependency list changed; torch==2.13.0 is pinned in pyproject.toml and comes
# from the local CPU wheel folder that pip is configured with (an unpinned torch would pull CUDA builds).
stamp=.venv/.awt-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "• Pakketten installeren (eenmalig enkele minuten)…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
  echo "$want" > "$stamp"
else
  echo "• Pakketten zijn al geïnstalleerd."
fi
