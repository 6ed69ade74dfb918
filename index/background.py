"""How close the world comes to the documents: the dense-score distribution of off-topic questions.

e5's cosine scores are compressed (on- and off-topic questions overlap around 0.84), so a best score means little
on its own. Asked the same way about everyday Dutch words the documents never use, the corpus answers with a
background distribution; a question's best score is then read relative to it (a z-score). The background words
come from wordfreq's general Dutch vocabulary, so this works for any corpus and needs no hand-made list.

>>> stats = BackgroundStats(mean=0.80, std=0.02)
>>> round(stats.relative(0.85), 2)
2.5
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from wordfreq import top_n_list, zipf_frequency

from index.text import is_function_word
from knowledge.dutch import fold

log = logging.getLogger(__name__)

BACKGROUND_SIZE = 96
_RANKS = (1500, 30000)  # everyday words: past the function words, before the rare ones


@dataclass(frozen=True)
class BackgroundStats:
    """Mean and spread of the best dense score that off-topic questions get from this corpus."""

    mean: float
    std: float

    def relative(self, score: float) -> float:
        """How many background spreads ``score`` lies above the background mean."""
        return (score - self.mean) / max(self.std, 1e-6)


def background_questions(corpus_words: Iterable[str], size: int = BACKGROUND_SIZE) -> list[str]:
    """Questions about everyday Dutch words that the corpus does not contain, spread evenly over the frequency ranks.

    >>> qs = background_questions({"innovatie"}, size=3)
    >>> len(qs), qs[0].startswith("Wat is ")
    (3, True)
    """
    known = {fold(w) for w in corpus_words}
    low, high = _RANKS
    ranked = top_n_list("nl", high)[low:]
    stride = max(1, len(ranked) // (size * 4))
    chosen: list[str] = []
    for word in ranked[::stride]:  # every stride-th word: spread evenly over the ranks
        if (
            word.isalpha()
            and len(word) >= 5
            and fold(word) not in known
            and zipf_frequency(word, "en") < zipf_frequency(word, "nl")
            and not is_function_word(fold(word))
        ):
            chosen.append(word)
            if len(chosen) == size:
                break
    return [f"Wat is {w}?" for w in chosen]


def measure_background(
    questions: list[str], best_score: Callable[[str], float]
) -> BackgroundStats:
    """The background distribution from each question's best dense score against the corpus."""
    scores = np.array([best_score(q) for q in questions], dtype=np.float64)
    if scores.size == 0:
        return BackgroundStats(mean=0.0, std=1.0)
    return BackgroundStats(mean=float(scores.mean()), std=float(scores.std()) or 1e-3)


def cached_background(
    cache_file: Path, questions: Callable[[], list[str]], best_score: Callable[[str], float]
) -> BackgroundStats:
    """Read the stats from ``cache_file`` (named after the index fingerprint) or measure and store them."""
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        return BackgroundStats(mean=float(data["mean"]), std=float(data["std"]))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("De achtergrondmeting in %s is beschadigd; ze wordt opnieuw gemaakt.", cache_file)
    stats = measure_background(questions(), best_score)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(stats)), encoding="utf-8")
        tmp.replace(cache_file)
    except OSError as error:
        log.warning("Kan de achtergrondmeting niet bewaren (%s); ze wordt volgende keer opnieuw gemaakt.", error)
    return stats
