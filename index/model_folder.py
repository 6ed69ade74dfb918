"""Folders (models, indexes) built once into a cache and shared by every process: written aside, renamed into place.

Used for the offline e5 conversion and for the ONNX export. A folder counts as complete only when its
marker file matches the fingerprint of what it was built from; the marker is written last, so a build
that was killed halfway is never used, and its leftovers are removed by the next build.

>>> import tempfile
>>> cache = Path(tempfile.mkdtemp())
>>> built = []
>>> def write(work: Path) -> None:
...     built.append(work)
...     _ = (work / "weights.txt").write_text("1 2 3")
>>> folder = ensure_folder(cache / "model", {"source": "v1"}, write, progress_message="bouwen…")
>>> (folder / "weights.txt").read_text(), len(built)
('1 2 3', 1)
>>> _ = ensure_folder(cache / "model", {"source": "v1"}, write, progress_message="bouwen…")  # complete: kept
>>> _ = ensure_folder(cache / "model", {"source": "v2"}, write, progress_message="bouwen…")  # other source: rebuilt
>>> len(built)
2
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

MARKER_NAME: Final = ".complete"
LOCK_TIMEOUT_S: Final = 600.0


def is_complete(folder: Path, fingerprint: dict[str, object]) -> bool:
    """Whether ``folder`` was finished (its marker is there) for exactly this ``fingerprint``."""
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("fingerprint") == fingerprint


def ensure_folder(
    target: Path,
    fingerprint: dict[str, object],
    write: Callable[[Path], None],
    *,
    progress_message: str,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Return ``target``, first calling ``write(work_dir)`` and renaming the result into place if it is not complete.

    Concurrent callers wait on a lock next to ``target``; only one of them builds.
    """
    if is_complete(target, fingerprint):
        return target

    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f".{target.name}.lock"
    try:
        with FileLock(lock, timeout=LOCK_TIMEOUT_S):
            if not is_complete(target, fingerprint):  # another process may have finished while we waited
                if progress is not None:
                    progress(progress_message)
                _build_into(target, fingerprint, write)
    except Timeout as exc:
        raise RuntimeError(
            f"De map '{target}' kon niet worden klaargezet: een ander proces is er al te lang mee bezig (lock {lock})."
        ) from exc
    return target


def write_json(path: Path, content: object) -> None:
    """Write ``content`` as readable UTF-8 JSON (the files a model folder describes itself with)."""
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _build_into(target: Path, fingerprint: dict[str, object], write: Callable[[Path], None]) -> None:
    _remove_stale_work_dirs(target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        write(work)
        _make_world_readable(work)
        write_json(work / MARKER_NAME, {"fingerprint": fingerprint, "built_at": datetime.now(UTC).isoformat()})
        _replace_dir(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _make_world_readable(folder: Path) -> None:
    # mkdtemp (and the safetensors writer) create owner-only entries; a cache shared between
    # users, e.g. filled at image build time and read by a service account, needs read access.
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _remove_stale_work_dirs(target: Path) -> None:
    # Safe under the lock: every builder holds it, so leftovers belong to killed processes.
    for pattern in (f".{target.name}.tmp-*", f".{target.name}.old-*"):
        for stale in target.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)


def _replace_dir(source: Path, target: Path) -> None:
    if target.exists():
        # os.replace cannot overwrite a non-empty directory: move the old one aside first.
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "model")
        shutil.rmtree(old, ignore_errors=True)
    os.replace(source, target)
