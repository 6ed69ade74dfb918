"""Make a Dutch test corpus of a given size: the advice plus generated pages built from its own sentences.

>>> import shutil, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> generate_corpus(folder, 2)
>>> sorted(p.name for p in folder.iterdir())
['achtergrond-2p.md', 'awt-advies-84-sociale-innovatie.txt']
>>> len((folder / "achtergrond-2p.md").read_text(encoding="utf-8")) >= 2 * PAGE_CHARS
True
>>> shutil.rmtree(folder)
"""

from __future__ import annotations

import random
from pathlib import Path

from knowledge import DEFAULT_KNOWLEDGE_DIR

PAGE_CHARS = 3000


def generate_corpus(folder: Path, pages: int, seed: int = 84) -> None:
    """The advice plus ``pages`` pages of Dutch text made from its sentences, in chapters with numbered lists."""
    advice = (DEFAULT_KNOWLEDGE_DIR / "awt-advies-84-sociale-innovatie.txt").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "awt-advies-84-sociale-innovatie.txt").write_text(advice, encoding="utf-8")
    if not pages:
        return
    rng = random.Random(seed)
    sentences = [s.strip() for s in advice.replace("\n", " ").split(". ") if len(s.split()) > 5]
    words = advice.split()
    out: list[str] = ["# Achtergrondstudie sociale innovatie (gegenereerd voor de benchmark)"]
    chars, chapter = 0, 0
    while chars < pages * PAGE_CHARS:
        chapter += 1
        out.append(f"\n## Hoofdstuk {chapter}: {' '.join(rng.sample(words, 4))}\n")
        for _ in range(4):
            paragraph = ". ".join(rng.sample(sentences, 4)) + f" (casus {chapter}.{rng.randint(1, 99)})."
            out.append(paragraph + "\n")
            chars += len(paragraph)
        out.append("De studie noemt vier maatregelen:\n")
        out.extend(f"{i}. {rng.choice(sentences)} in regio {rng.randint(1, 40)}." for i in range(1, 5))
    (folder / f"achtergrond-{pages}p.md").write_text("\n".join(out) + "\n", encoding="utf-8")
