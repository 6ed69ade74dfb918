"""Thumbs up/down on answers, kept in SQLite in the data dir (only when ``AWT_FEEDBACK=true``).

Feedback stores the question, the conversation before it and the answer: that is why it is off by default.
:func:`export_feedback` turns the stored votes into items of the eval gold-set format (``evals/gold.jsonl``),
to be reviewed by a person before they are added.

>>> import tempfile, pathlib
>>> from assistant.contract import Answer, Citation
>>> db = pathlib.Path(tempfile.mkdtemp()) / "feedback.sqlite3"
>>> store = FeedbackStore(db)
>>> step = Citation(n=1, label="Aanbeveling 3, stap 1", document="advies.txt", quote="…", score=0.9, unit_id="u",
...                 start=0, end=1)
>>> answer = Answer(question="Wat is stap 1?", answer="… [1]", citations=[step], refused=False, backend="extractief")
>>> store.record("up", "Wat is stap 1?", [], answer, source="api")
1
>>> export_feedback(db)[0]["expected_citations"]
['Aanbeveling 3, stap 1']
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.contract import Answer, Message

Vote = Literal["up", "down"]
FEEDBACK_FILE = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    source TEXT NOT NULL
)
"""

log = logging.getLogger(__name__)


class FeedbackUnavailable(RuntimeError):
    """The vote could not be stored (disk full, read-only, locked); ``str()`` is a Dutch message for the user."""


def _storable(text: str) -> str:
    r"""SQLite stores UTF-8: a lone surrogate (JSON may carry ``"\ud800"``) becomes ``?`` instead of an error."""
    return text.encode("utf-8", "replace").decode("utf-8")


class FeedbackStore:
    """Appends votes to one SQLite file; safe to share between the threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(
        self,
        vote: Vote,
        question: str,
        history: Sequence[Message],
        answer: Answer,
        *,
        source: str,
    ) -> int:
        """Store one vote (the conversation and answer as JSON); returns its id."""
        if vote not in ("up", "down"):
            raise ValueError(f"onbekende stem: {vote!r}")
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            vote,
            _storable(question),
            _storable(json.dumps([m.model_dump(mode="json") for m in history], ensure_ascii=False)),
            _storable(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)),
            source,
        )
        try:
            with self._lock, self._connect() as db:  # one transaction: the row is stored whole or not at all
                cursor = db.execute(
                    "INSERT INTO feedback (created_at, vote, question, history, answer, source) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
                return int(cursor.lastrowid or 0)
        except (sqlite3.OperationalError, OSError) as exc:
            log.error("Feedback kon niet worden opgeslagen in %s: %s", self.path, exc)
            raise FeedbackUnavailable(
                "Uw beoordeling kon niet worden opgeslagen: de server kan er nu niet bij (bijvoorbeeld een volle "
                "schijf). Probeer het later opnieuw."
            ) from exc

    def count(self) -> int:
        """How many votes are stored."""
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])


def export_feedback(db_path: Path | str) -> list[dict[str, Any]]:
    """Every stored vote as an eval item (``evals/gold.jsonl`` format), oldest first.

    A thumbs-up on an answer makes an answerable item that expects the labels the answer cited; a thumbs-up on
    a refusal, and every thumbs-down, makes an item with ``answerable: false`` and no expected citations, marked
    ``needs_review`` where a person must decide what the right answer is. A missing file exports nothing.
    """
    path = Path(db_path)
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT id, created_at, vote, question, history, answer, source FROM feedback ORDER BY id"
        ).fetchall()
    items: list[dict[str, Any]] = []
    for row_id, created_at, vote, question, history_json, answer_json, source in rows:
        answer = json.loads(answer_json)
        history = json.loads(history_json)
        refused = bool(answer.get("refused"))
        labels = [c["label"] for c in answer.get("citations", []) if isinstance(c, dict) and c.get("label")]
        answerable = vote == "up" and not refused
        item: dict[str, Any] = {"id": f"feedback-{row_id}", "question": question}
        if history:
            item["history"] = history
        item.update(
            {
                "expected_citations": labels if answerable else [],
                "key_facts": [],
                "answerable": answerable,
                "category": "feedback",
                "feedback": vote,
                "needs_review": vote == "down",
                "answer": answer.get("answer", ""),
                "cited": labels,
                "refused": refused,
                "backend": answer.get("backend"),
                "source": source,
                "created_at": created_at,
            }
        )
        items.append(item)
    return items
