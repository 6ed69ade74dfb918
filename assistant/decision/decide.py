"""The one place that decides whether to answer: signals in, a :class:`Verdict` out.

Hard rules first, for what is certain whatever the models say (nothing left to ask, a part that does not exist,
an amount, date or count the passages cannot give, a question that only names an existing part); then the topic
model (is this about the documents at all?); then the answer model's probability, read against its two cut-offs:
answer, answer while saying the evidence is moderate, or refuse with the most telling reason.

>>> from assistant.decision.model import NEVER, CalibratedModel, DecisionModel
>>> answer = CalibratedModel(("coverage",), ((),), (0.5,), (0.25,), (2.0,), 0.0)
>>> model = DecisionModel(topic=NEVER, answer=answer, answer_at=0.6, hedge_at=0.4)
>>> decide(Signals(coverage=1.0), model).reason
<Reason.BEANTWOORD: 'beantwoord'>
>>> decide(Signals(missing_reference=True), model).reason
<Reason.VERWIJZING_BESTAAT_NIET: 'verwijzing_bestaat_niet'>
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.decision.model import DecisionModel
from assistant.decision.reasons import Reason
from assistant.decision.signals import AMOUNT, COUNT, DAY, PERSON, YEAR, Signals

_KIND_REASONS = {
    AMOUNT: Reason.VRAAGT_OM_BEDRAG,
    PERSON: Reason.VRAAGT_OM_PERSOON,
    DAY: Reason.VRAAGT_OM_DATUM,
    YEAR: Reason.VRAAGT_OM_DATUM,
    COUNT: Reason.VRAAGT_OM_AANTAL,
}
_CERTAIN_KINDS = (AMOUNT, DAY, COUNT)  # a passage either shows a sum, a day or a number, or it cannot answer


@dataclass(frozen=True)
class Verdict:
    """Answer or refuse, why, and how sure (the model's probability that the documents answer)."""

    answer: bool
    reason: Reason
    confidence: float


def rule_verdict(signals: Signals) -> Verdict | None:
    """The verdict of a hard rule, or None when the calibrated model has to weigh the evidence."""
    if not signals.has_question:
        return Verdict(False, Reason.GEEN_VRAAG, 1.0)
    if signals.missing_reference:
        return Verdict(False, Reason.VERWIJZING_BESTAAT_NIET, 1.0)
    if signals.asked_kind in _CERTAIN_KINDS and not signals.kind_found:
        return Verdict(False, _KIND_REASONS[signals.asked_kind], 1.0)
    if signals.pointer_only:  # "Wat is de tweede aanbeveling?": it names an existing part and asks nothing else
        return Verdict(True, Reason.BEANTWOORD, 1.0)
    return None


def decide(signals: Signals, model: DecisionModel) -> Verdict:
    """The verdict for one question."""
    ruled = rule_verdict(signals)
    if ruled is not None:
        return ruled
    # a question that names an existing part of the documents is about them, whatever else it asks
    off_topic = 0.0 if signals.structural else model.topic.probability(signals)
    if off_topic >= model.off_topic_at:
        return Verdict(False, Reason.BUITEN_ONDERWERP, off_topic)
    probability = model.answer.probability(signals)
    if probability >= model.answer_at:
        return Verdict(True, Reason.BEANTWOORD, probability)
    if probability >= model.hedge_at:
        return Verdict(True, Reason.ONZEKER, probability)
    return Verdict(False, refusal_reason(signals, off_topic), 1.0 - probability)


def refusal_reason(signals: Signals, off_topic: float) -> Reason:
    """The most telling reason once the answer model has said no."""
    if signals.asked_kind in _KIND_REASONS and not signals.kind_found:
        return _KIND_REASONS[signals.asked_kind]
    return Reason.BUITEN_ONDERWERP if off_topic >= 0.5 else Reason.NIET_IN_TEKST
