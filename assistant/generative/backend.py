"""The generative backend: a chat model writes the answer from numbered passages, verified sentence by sentence.

Verification keeps only what the cited passages support, and every failure ends in the extractive answer with a
Dutch notice.

>>> from langchain_core.language_models.fake_chat_models import FakeListChatModel
>>> from assistant.decision import DecisionModel
>>> chat_model = FakeListChatModel(responses=["..."])
>>> backend = GenerativeBackend(chat_model, name="test:fake", model=DecisionModel.load())
>>> backend.name
'test:fake'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.answer import ExtractiveBackend, Quotes, judge, preferred_unit, refusal, select_quotes, with_also_in
from assistant.contract import Answer, join_notices
from assistant.decision import DecisionModel, Reason, Verdict
from assistant.generative.prompt import NO_ANSWER, build_messages
from assistant.generative.streaming import StreamClosed, send_token
from assistant.generative.verify import (
    LexicalSupportChecker,
    Passage,
    SupportChecker,
    Verification,
    strip_markers,
    verify,
)
from assistant.retrieval import Retrieval
from assistant.scope import several
from knowledge import document_titles

log = logging.getLogger(__name__)

FALLBACK = "Daarom volgt hieronder het letterlijke antwoord uit het advies."
FALLBACK_SEVERAL = "Daarom volgt hieronder het letterlijke antwoord uit de geladen documenten."
NOTICE_UNREACHABLE = "Het taalmodel was niet bereikbaar of gaf een fout. " + FALLBACK
NOTICE_TIMEOUT = "Het taalmodel gaf niet binnen {seconds:g} seconden antwoord. " + FALLBACK
NOTICE_LATE = "Het taalmodel gaf niet op tijd antwoord. " + FALLBACK
NOTICE_UNSUPPORTED = "Het antwoord van het taalmodel werd niet door de geciteerde passages ondersteund. " + FALLBACK
NOTICE_EMPTY = "Het taalmodel gaf een leeg of onbruikbaar antwoord. " + FALLBACK
NOTICE_LANGUAGE = "Het taalmodel antwoordde niet in het Nederlands. " + FALLBACK
NOTICE_INTERNAL = "Het antwoord van het taalmodel kon niet worden verwerkt. " + FALLBACK
NOTICE_REMOVED = (
    "Uit het gegenereerde antwoord {count} weggelaten, omdat de geciteerde passages {pronoun} niet ondersteunen."
)

#: Languages an answer is told apart from; a restricted set keeps short Dutch answers from odd labels.
_LANGUAGES = ("nl", "en", "de", "fr", "af")
_FOREIGN = frozenset({"en", "de", "fr"})  # Afrikaans is how langid sometimes labels terse Dutch


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(_LANGUAGES))
    return identifier


def answer_language(text: str) -> str | None:
    """``'nl'``, ``'en'``, … for the text without its markers; None when there is nothing to classify."""
    cleaned = strip_markers(text)
    if sum(ch.isalpha() for ch in cleaned) < 3:
        return None
    language, _score = _identifier().classify(cleaned)
    return str(language)


def _is_timeout(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError) or "timeout" in type(seen).__name__.lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class GenerativeBackend:
    """Answers with a chat model, grounded in the retrieved passages and verified sentence by sentence.

    ``chat_model`` is any LangChain chat model (tests inject fakes). The decision component
    (:mod:`assistant.decision`) says whether the question is answerable (no model call otherwise); when the model
    itself says the passages do not answer, that is a refusal with reason ``niet_in_tekst``. The extractive
    backend is the fallback for every failure.
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        name: str,
        model: DecisionModel,
        max_units: int = 3,
        max_passages: int = 4,
        max_passage_chars: int = 2400,
        checker: SupportChecker | None = None,
        timeout: float | None = None,
        repair_markers: bool = True,
    ) -> None:
        self.chat_model = chat_model
        self.name = name
        self.model = model
        self.max_units = max_units
        self.max_passages = max_passages
        self.max_passage_chars = max_passage_chars
        self.checker: SupportChecker = checker or LexicalSupportChecker()
        self.timeout = timeout
        self.repair_markers = repair_markers
        self.fallback = ExtractiveBackend(model, max_units=max_units)

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """The verified answer to ``question``, or the extractive one with a Dutch notice when the model fails.

        The raw tokens go to :func:`~assistant.generative.streaming.send_token` as they come, so an
        :class:`~assistant.generative.streaming.AnswerStream` shows them while the model writes.
        """
        verdict = judge(retrieval, self.model)
        if not verdict.answer:
            return self.fallback.answer(question, retrieval)  # the extractive refusal; no model call
        quotes = select_quotes(retrieval, self.max_units)
        passages = self.passages(retrieval, quotes)
        started = time.monotonic()
        first_token: float | None = None
        chunks: list[str] = []
        try:
            messages = self.messages(question, retrieval, passages)
            for chunk in self.chat_model.stream(messages):
                text = chunk.text
                if text:
                    first_token = first_token or time.monotonic() - started
                    chunks.append(text)
                    send_token(text)
                if self.timeout is not None and time.monotonic() - started > self.timeout:
                    raise TimeoutError(f"no complete answer after {self.timeout:g} s")
        except StreamClosed:
            raise  # nobody waits for this answer any more
        except Exception as error:  # noqa: BLE001 - any model failure becomes the extractive answer + notice
            return self._fallback(question, retrieval, self._failure_notice(error, bool(chunks)))
        raw = "".join(chunks)
        log.info(
            "Taalmodel %s: %.1f s (eerste token na %.1f s), %d tekens",
            self.name,
            time.monotonic() - started,
            first_token or 0.0,
            len(raw),
        )
        try:
            return self._verified(question, retrieval, passages, raw, verdict, quotes.notice)
        except Exception:  # noqa: BLE001 - never a traceback for the user
            log.exception("Controle van het gegenereerde antwoord mislukte")
            return self._fallback(question, retrieval, NOTICE_INTERNAL)

    def passages(self, retrieval: Retrieval, quotes: Quotes) -> list[Passage]:
        """What the model gets: the units the extractive answer would quote (``quotes``), then the next best hits.

        Only the named passage when the question names one ("stap 5 van aanbeveling 3"): other passages only
        tempt a small model to answer from the wrong one.
        """
        scores = {h.unit.id: h.score for h in retrieval.hits}
        units = list(quotes.units)
        named = any(h.structural for h in retrieval.hits)
        for hit in [] if named else retrieval.hits:
            if len(units) >= self.max_passages:
                break
            unit = preferred_unit(hit.unit, retrieval)  # a passage two documents share is shown once, with its page
            if unit not in units:
                units.append(unit)
        titles = document_titles(retrieval.documents)
        chosen: list[Passage] = []
        used = 0
        for unit in units:
            if chosen and (len(chosen) >= max(self.max_passages, 1) or used + len(unit.text) > self.max_passage_chars):
                break
            chosen.append(Passage(len(chosen) + 1, unit, scores.get(unit.id, 0.0), titles.get(unit.document)))
            used += len(unit.text)
        return chosen

    def messages(self, question: str, retrieval: Retrieval, passages: Sequence[Passage]) -> list[Any]:
        """The chat messages for ``question``: the rules, the numbered passages, and an earlier question."""
        asked = retrieval.question or question
        earlier = None
        if retrieval.query.startswith(asked) and retrieval.query != asked:
            earlier = retrieval.query[len(asked) :].strip() or None
        return build_messages(asked, [p.prompt_line() for p in passages], earlier=earlier)

    def _fallback(self, question: str, retrieval: Retrieval, notice: str, removed: Sequence[str] = ()) -> Answer:
        answer = self.fallback.answer(question, retrieval)
        if several(retrieval.documents):
            notice = notice.replace(FALLBACK, FALLBACK_SEVERAL)
        return answer.model_copy(update={"notice": join_notices(answer.notice, notice), "removed": list(removed)})

    def _failure_notice(self, error: Exception, streamed: bool) -> str:
        log.warning("Taalmodel %s faalde (%s: %s)", self.name, type(error).__name__, error)
        if isinstance(error, ValueError) and not streamed and "chunk" in str(error):
            return NOTICE_EMPTY  # langchain-core: the model streamed nothing at all
        if not _is_timeout(error):
            return NOTICE_UNREACHABLE
        if self.timeout:
            return NOTICE_TIMEOUT.format(seconds=self.timeout)
        return NOTICE_LATE

    def _verified(
        self,
        question: str,
        retrieval: Retrieval,
        passages: Sequence[Passage],
        raw: str,
        verdict: Verdict,
        left_out: str | None,
    ) -> Answer:
        if not raw.strip():
            return self._fallback(question, retrieval, NOTICE_EMPTY)
        if answer_language(raw) in _FOREIGN:
            return self._fallback(question, retrieval, NOTICE_LANGUAGE)
        result: Verification = verify(raw, passages, self.checker, repair=self.repair_markers, no_answer=NO_ANSWER)
        if result.removed:
            log.debug("Verwijderd (niet ondersteund): %s", result.removed)
        if not result.supported_sentences:
            if result.said_no_answer:
                said_no = Verdict(False, Reason.NIET_IN_TEKST, verdict.confidence)
                answer = refusal(question, retrieval, self.name, said_no)
                notice = join_notices(answer.notice, self._removed_notice(result.removed))
                return answer.model_copy(update={"removed": result.removed, "notice": notice})
            notice = NOTICE_UNSUPPORTED if result.removed or result.checks else NOTICE_EMPTY
            return self._fallback(question, retrieval, notice, result.removed)
        if answer_language(result.text) in _FOREIGN:
            return self._fallback(question, retrieval, NOTICE_LANGUAGE, result.removed)
        return Answer(
            question=question,
            answer=result.text,
            citations=with_also_in(result.citations, retrieval),
            refused=False,
            backend=self.name,
            notice=join_notices(*retrieval.notices, left_out, self._removed_notice(result.removed)),
            removed=result.removed,
            reason=verdict.reason.value,
            confidence=round(verdict.confidence, 3),
        )

    @staticmethod
    def _removed_notice(removed: Sequence[str]) -> str | None:
        if not removed:
            return None
        count = "is één zin" if len(removed) == 1 else f"zijn {len(removed)} zinnen"
        return NOTICE_REMOVED.format(count=count, pronoun="die" if len(removed) == 1 else "ze")
