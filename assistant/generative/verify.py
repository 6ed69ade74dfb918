"""Checking a generated answer sentence by sentence against the passages it cites.

Every sentence must carry a marker ``[n]`` of a passage that supports it. Unsupported sentences are removed
(and reported), markers that point at a passage that does not exist or does not support the sentence are
corrected to the passage that does, and the surviving passages are renumbered 1..k so the answer contract holds.

>>> from knowledge.units import Unit
>>> unit = Unit(id="a1", document="advies.txt", label="Aanbeveling 1", heading_path=(),
...             text="Maak ruimte voor experimenten met sociale innovatie.", start=0, end=52)
>>> result = verify("Het advies wil ruimte voor experimenten [2]. De maan is van kaas [2].",
...                 [Passage(2, unit, 0.9)])
>>> result.text
'Het advies wil ruimte voor experimenten [1].'
>>> result.removed
['De maan is van kaas.']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from assistant.contract import Citation, cite
from index.text import FUNCTION_WORDS, analyze, words
from knowledge.citation import MARKER, marker_numbers
from knowledge.dutch import CARDINALS, ORDINALS, fold
from knowledge.units import Unit
from knowledge.vocabulary import DOCUMENT_NOUNS

DEFAULT_SUPPORT_THRESHOLD = 0.6

#: ``[bron 1]`` / ``[passage 1]`` are normalised to :data:`~knowledge.citation.MARKER`'s ``[1]`` first.
_WORDY_MARKER = re.compile(r"\[\s*(?:passage|passages|bron|bronnen|source|fragment|tekst)\s*(\d+)\s*\]", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER.pattern}[.;,]?)+")
_PREAMBLE = re.compile(r"^\s*(?:\*\*)?(?:antwoord|answer)\s*:\s*(?:\*\*)?\s*", re.IGNORECASE)
_FENCE = re.compile(r"^\s*```\w*\s*$", re.MULTILINE)
_END_PUNCT = re.compile(r"[.!?…:;]+$")
_QUOTATION = re.compile(r"„[^”“\n]*[”“]|“[^”\n]*”|\"[^\"\n]*\"")

_NUMBER_WORDS: dict[str, int] = {
    fold(word): value for word, value in {**CARDINALS, **ORDINALS}.items() if value >= 1 and fold(word) != "een"
}

#: Words that frame a claim ("volgens het advies stelt de AWT …") rather than make it: function words and verbs of
#: saying (see knowledge.vocabulary).
FRAMING_WORDS: frozenset[str] = FUNCTION_WORDS | DOCUMENT_NOUNS


@runtime_checkable
class SupportChecker(Protocol):
    """Scores how well ``passage`` supports the claim in ``sentence``: 0 (not at all) to 1 (fully).

    The lexical default is a stand-in for an NLI model: an entailment model's probability fits the same slot.
    """

    threshold: float

    def score(self, sentence: str, passage: str) -> float:
        """How well ``passage`` supports ``sentence``, from 0 to 1; at least :attr:`threshold` counts as support."""
        ...


class LexicalSupportChecker:
    """Share of the sentence's content tokens (folded, Dutch stopwords removed, stemmed) found in the passage.

    Framing words ("volgens het advies", "de AWT noemt") claim nothing about the content and are not counted.
    Numbers are stricter: a sentence that mentions a number the passage does not contain scores 0 ("de vijfde
    stap" is not supported by the passage labelled "stap 3", however many words they share).

    >>> checker = LexicalSupportChecker()
    >>> checker.score("De AWT adviseert meer experimenten.", "De AWT adviseert experimenten.")
    1.0
    >>> checker.score("De AWT adviseert 12 experimenten.", "De AWT adviseert experimenten.")
    0.0
    >>> checker.score("De vijfde stap is: werk samen.", "Aanbeveling 3, stap 5: werk samen.")
    1.0
    """

    def __init__(self, threshold: float = DEFAULT_SUPPORT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold

    def score(self, sentence: str, passage: str) -> float:
        """The share of the sentence's claim tokens found in the passage; 0 when a number it states is missing."""
        tokens = claim_tokens(sentence)
        if not tokens:
            return 0.0
        if not numbers(sentence) <= numbers(passage):
            return 0.0
        vocabulary = set(content_tokens(passage))
        return sum(1 for t in tokens if t in vocabulary) / len(tokens)


@lru_cache(maxsize=4096)
def _analyzed(text: str) -> tuple[str, ...]:
    return tuple(analyze(text))


def content_tokens(text: str) -> list[str]:
    """Stemmed content tokens of ``text`` (markers removed)."""
    return list(_analyzed(MARKER.sub(" ", text)))


def numbers(text: str) -> set[int]:
    """The numbers ``text`` names: digits, cardinals from two, ordinals ("vijfde" → 5; not "een", "laatste").

    >>> sorted(numbers("De vijfde stap van aanbeveling 3 noemt zes landen en een plan."))
    [3, 5, 6]
    """
    found: set[int] = set()
    for word in words(MARKER.sub(" ", text)):
        if word.isdigit():
            found.add(int(word))
        elif word in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[word])
    return found


def claim_tokens(sentence: str) -> list[str]:
    """The content tokens of a sentence that make its claim.

    Framing words (:data:`FRAMING_WORDS`) and number words (checked on their own, see :func:`numbers`) are dropped.

    >>> claim_tokens("Volgens het advies noemt de AWT drie stappen [2].")
    ['awt', 'stap']
    """
    kept = [w for w in words(MARKER.sub(" ", sentence)) if w not in FRAMING_WORDS and w not in _NUMBER_WORDS]
    return list(_analyzed(" ".join(kept)))


@dataclass(frozen=True)
class Passage:
    """A passage as numbered in the prompt: ``[n] label: text``."""

    n: int
    unit: Unit
    score: float = 0.0
    document_title: str | None = None  # set when several documents are loaded: citations then name it

    @property
    def evidence(self) -> str:
        """What a sentence is checked against: what the model was shown (label, list lead-in, text)."""
        return "\n".join(p for p in (self.unit.label, self.unit.lead_in or "", self.unit.text) if p)

    def prompt_line(self) -> str:
        """The passage as the model sees it: ``[n] label: text`` on one line."""
        text = " ".join(self.unit.text.split())
        return f"[{self.n}] {self.unit.label}: {text}"


@dataclass
class SentenceCheck:
    """The verdict on one generated sentence."""

    sentence: str  # as generated, markers included
    claim: str  # without markers
    cited: list[int]  # markers as generated
    kept: list[int] = field(default_factory=list)  # prompt numbers of the passages that support it
    status: str = "removed"  # supported | corrected | removed | no_answer | empty | lead_in | frame

    @property
    def supported(self) -> bool:
        """Whether the sentence stays in the answer."""
        return self.status in ("supported", "corrected", "lead_in", "frame")


@dataclass
class Verification:
    """A verified answer: the text with renumbered markers, its citations and what was taken out."""

    text: str
    citations: list[Citation]
    removed: list[str]
    checks: list[SentenceCheck]
    said_no_answer: bool = False

    @property
    def corrected(self) -> int:
        """How many sentences kept their claim but had their markers corrected."""
        return sum(1 for c in self.checks if c.status == "corrected")

    @property
    def supported_sentences(self) -> int:
        """How many sentences the cited passages support (as cited or after correction)."""
        return sum(1 for c in self.checks if c.status in ("supported", "corrected"))


@lru_cache(maxsize=1)
def _segmenter() -> object:
    import pysbd

    return pysbd.Segmenter(language="nl", clean=False)


def strip_markers(text: str) -> str:
    """The sentence without its markers, spaces before punctuation closed up."""
    return re.sub(r"\s+([.,;:!?…])", r"\1", " ".join(MARKER.sub(" ", text).split()))


def clean_output(text: str) -> str:
    """Remove what chat models wrap an answer in: code fences, an ``Antwoord:`` preamble, wordy markers."""
    text = _FENCE.sub("", text)
    text = _WORDY_MARKER.sub(r"[\1]", text)
    text = _PREAMBLE.sub("", text.strip())
    return text.strip()


def split_lines(text: str) -> list[tuple[str, list[str]]]:
    r"""Each non-empty line as ``(bullet prefix, sentences)``.

    Markers written after a full stop stay with the sentence they follow.

    >>> split_lines("Eerste zin [1]. Tweede zin. [2] Derde zin [3].")
    [('', ['Eerste zin [1].', 'Tweede zin. [2]', 'Derde zin [3].'])]
    >>> split_lines("Drie stappen:\n- Stap een [1].")
    [('', ['Drie stappen:']), ('- ', ['Stap een [1].'])]
    """
    segmenter = _segmenter()
    lines: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        bullet = _BULLET.match(line)
        prefix = "- " if bullet else ""
        body = line[bullet.end() :] if bullet else line
        sentences: list[str] = []
        protected, quotations = _protect_quotations(body.strip())
        for raw in segmenter.segment(protected):  # type: ignore[attr-defined]
            piece = _restore_quotations(str(raw), quotations).strip()
            leading = _LEADING_MARKERS.match(piece)
            if leading and sentences:
                sentences[-1] = f"{sentences[-1]} {leading.group(0).strip()}"
                piece = piece[leading.end() :].strip()
            if not piece:
                continue
            if sentences and not MARKER.sub("", piece).strip(" .;,"):
                sentences[-1] = f"{sentences[-1]} {piece}"
            else:
                sentences.append(piece)
        if sentences:
            lines.append((prefix, sentences))
    return lines


def _protect_quotations(text: str) -> tuple[str, list[str]]:
    """Quoted passages („…”, “…”, "…") become placeholders, so a quote of two sentences stays one claim."""
    quotations: list[str] = []

    def stash(match: re.Match[str]) -> str:
        quotations.append(match.group(0))
        ends_sentence = match.group(0)[:-1].rstrip().endswith((".", "!", "?"))
        return f"QQ{len(quotations) - 1}Q{'E.' if ends_sentence else 'Q'}"  # the "." lets a sentence end there

    return _QUOTATION.sub(stash, text), quotations


def _restore_quotations(text: str, quotations: list[str]) -> str:
    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return quotations[index] if index < len(quotations) else match.group(0)

    return re.sub(r"QQ(\d+)Q(?:E\.|Q)", restore, text)


def _is_no_answer(claim: str, no_answer: str | None) -> bool:
    if not no_answer:
        return False
    wanted = " ".join(re.findall(r"\w+", fold(no_answer)))
    return bool(wanted) and wanted in " ".join(re.findall(r"\w+", fold(claim)))


def _with_markers(claim: str, numbers: Sequence[int]) -> str:
    """``"Zo is het."`` + ``[1, 2]`` → ``"Zo is het [1][2]."`` (markers before the closing punctuation)."""
    markers = "".join(f"[{n}]" for n in numbers)
    if not markers:
        return claim
    match = _END_PUNCT.search(claim)
    if match and not claim.endswith(("”", "’", '"')):
        return f"{claim[: match.start()].rstrip()} {markers}{match.group(0)}"
    return f"{claim} {markers}"


def check_sentence(
    sentence: str,
    passages: dict[int, Passage],
    checker: SupportChecker,
    *,
    repair: bool = True,
    no_answer: str | None = None,
) -> SentenceCheck:
    """Which of the passages support ``sentence``: the ones it cites, or else (``repair``) the best one."""
    cited = marker_numbers(sentence)
    claim = strip_markers(sentence)
    check = SentenceCheck(sentence=sentence, claim=claim, cited=cited)
    if _is_no_answer(claim, no_answer):
        check.status = "no_answer"
        return check
    if not re.search(r"\w", claim):
        check.status = "empty"
        return check
    if not content_tokens(claim):
        return check  # "JA.", "Zeker!": claims something, but nothing a passage can support
    if not claim_tokens(claim):
        check.status = "frame" if claim.endswith(":") else "removed"  # "Volgens het advies:" introduces a list
        return check
    if not cited and claim.endswith(":"):
        return check  # a lead-in: checked against what the answer goes on to cite (see verify)
    threshold = checker.threshold
    valid = [n for n in cited if n in passages]
    scores = {n: checker.score(claim, passages[n].evidence) for n in valid}
    alone = [n for n in valid if scores[n] >= threshold]
    if alone:
        check.kept, check.status = alone, "supported"
        return check
    contributing = [n for n in valid if scores[n] > 0]
    if len(contributing) > 1:
        union = "\n".join(passages[n].evidence for n in contributing)
        if checker.score(claim, union) >= threshold:
            check.kept, check.status = contributing, "supported"
            return check
    if repair:
        ranked = sorted(passages, key=lambda n: checker.score(claim, passages[n].evidence), reverse=True)
        if ranked and checker.score(claim, passages[ranked[0]].evidence) >= threshold:
            check.kept, check.status = [ranked[0]], "corrected"
    return check


def verify(
    text: str,
    passages: Sequence[Passage],
    checker: SupportChecker | None = None,
    *,
    repair: bool = True,
    no_answer: str | None = None,
) -> Verification:
    """Check every sentence of a generated ``text``; keep the supported ones with renumbered markers."""
    checker = checker or LexicalSupportChecker()
    by_n = {p.n: p for p in passages}
    checked: list[tuple[str, list[SentenceCheck]]] = []
    for prefix, sentences in split_lines(clean_output(text)):
        checked.append(
            (prefix, [check_sentence(s, by_n, checker, repair=repair, no_answer=no_answer) for s in sentences])
        )
    cited_anywhere = [n for _, checks in checked for c in checks for n in c.kept]
    evidence = "\n".join(by_n[n].evidence for n in dict.fromkeys(cited_anywhere))
    for _, checks in checked:
        for check in checks:
            # A lead-in ("De AWT noemt drie stappen:") introduces what follows: checked against all cited passages.
            if (
                check.status == "removed"
                and not check.cited
                and check.claim.endswith(":")
                and evidence
                and checker.score(check.claim, evidence) >= checker.threshold
            ):
                check.status = "lead_in"

    order = list(dict.fromkeys(cited_anywhere))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    lines: list[str] = []
    for prefix, checks in checked:
        kept = [_with_markers(c.claim, [renumber[n] for n in c.kept]) for c in checks if c.supported]
        if kept:
            lines.append(prefix + " ".join(kept))
    citations = [cite(renumber[n], by_n[n].unit, by_n[n].score, by_n[n].document_title) for n in order]
    all_checks = [c for _, checks in checked for c in checks]
    return Verification(
        text="\n".join(lines),
        citations=citations,
        removed=[c.claim for c in all_checks if c.status == "removed"],
        checks=all_checks,
        said_no_answer=any(c.status == "no_answer" for c in all_checks),
    )
