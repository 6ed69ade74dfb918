"""Plain text and Markdown: read as they are (UTF-8, with a Windows-1252 fallback); the parser reads the structure."""

from __future__ import annotations

from pathlib import Path

from knowledge.formats import Extracted, KnowledgeError


def decode(raw: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped), else Windows-1252: older Dutch text files often are."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a Dutch :class:`KnowledgeError` naming it (every format reads through here)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"Het bestand '{path.name}' kon niet worden gelezen: {exc.strerror}.") from exc


def read_text(path: Path) -> Extracted:
    """A text or Markdown file as it is (the parser reads its structure)."""
    return Extracted(decode(read_bytes(path)))
