"""The answer/refuse decision, table-driven: signals in (no embedding model), verdict and reason out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.decision import (
    FEATURES,
    CalibratedModel,
    DecisionModel,
    ModelFileError,
    Reason,
    Signals,
    decide,
    rule_verdict,
)
from assistant.decision.signals import asked_kind, english_share, kind_found, specificity

# Transparent models: off-topic when the specific words are unknown and the passages far away; answerable with
# coverage and closeness. No fitted file needed.
MODEL = DecisionModel(
    topic=CalibratedModel(
        features=("specific_coverage", "dense_rel"),
        knots=((), ()),
        mean=(0.5, 2.0),
        scale=(0.25, 1.0),
        coef=(-3.0, -2.0),
        intercept=-2.0,
    ),
    answer=CalibratedModel(
        features=("coverage", "dense_rel"),
        knots=((), ()),
        mean=(0.5, 2.0),
        scale=(0.25, 1.0),
        coef=(2.0, 1.0),
        intercept=0.0,
    ),
    off_topic_at=0.5,
    answer_at=0.7,
    hedge_at=0.4,
)

CASES = [
    # (name, signals, answered, reason)
    ("well covered and close", Signals(coverage=1.0, dense_rel=3.0), True, Reason.BEANTWOORD),
    ("moderate evidence is hedged", Signals(coverage=0.5, dense_rel=2.0), True, Reason.ONZEKER),
    (
        "unknown words, far away",
        Signals(coverage=0.0, specific_coverage=0.1, dense_rel=-1.0),
        False,
        Reason.BUITEN_ONDERWERP,
    ),
    (
        "known words, but nothing close enough",
        Signals(coverage=0.3, specific_coverage=0.8, dense_rel=0.5),
        False,
        Reason.NIET_IN_TEKST,
    ),
    (
        "amount asked, none in the passages",
        Signals(asked_kind="bedrag", kind_found=False, coverage=1.0, dense_rel=5.0),
        False,
        Reason.VRAAGT_OM_BEDRAG,
    ),
    (
        "amount asked and present",
        Signals(asked_kind="bedrag", kind_found=True, coverage=1.0, dense_rel=3.0),
        True,
        Reason.BEANTWOORD,
    ),
    (
        "day asked, none in the passages",
        Signals(asked_kind="datum", kind_found=False, coverage=1.0, dense_rel=5.0),
        False,
        Reason.VRAAGT_OM_DATUM,
    ),
    (
        "count asked, not counted",
        Signals(asked_kind="aantal", kind_found=False, coverage=1.0, dense_rel=5.0),
        False,
        Reason.VRAAGT_OM_AANTAL,
    ),
    (
        "person asked, none named, model says no",
        Signals(asked_kind="persoon", kind_found=False, coverage=0.3, specific_coverage=0.9, dense_rel=0.5),
        False,
        Reason.VRAAGT_OM_PERSOON,
    ),
    (
        "person asked, model says yes (an organisation answers 'wie')",
        Signals(asked_kind="persoon", kind_found=False, coverage=1.0, dense_rel=3.0),
        True,
        Reason.BEANTWOORD,
    ),
    (
        "year asked, none given, model says no",
        Signals(asked_kind="jaar", kind_found=False, coverage=0.3, specific_coverage=0.9, dense_rel=0.5),
        False,
        Reason.VRAAGT_OM_DATUM,
    ),
    (
        "a part that does not exist",
        Signals(missing_reference=True, coverage=1.0, dense_rel=5.0),
        False,
        Reason.VERWIJZING_BESTAAT_NIET,
    ),
    ("nothing left after instructions", Signals(has_question=False), False, Reason.GEEN_VRAAG),
    (
        "only names an existing part",
        Signals(structural=True, pointer_only=True, coverage=0.0, dense_rel=-3.0),
        True,
        Reason.BEANTWOORD,
    ),
    (
        "names a part: never off-topic",
        Signals(structural=True, coverage=1.0, specific_coverage=0.0, dense_rel=2.0),
        True,
        Reason.BEANTWOORD,
    ),
    (
        "names a part but asks more, model says no",
        Signals(structural=True, coverage=0.2, specific_coverage=0.8, dense_rel=0.5),
        False,
        Reason.NIET_IN_TEKST,
    ),
]


@pytest.mark.parametrize(("name", "signals", "answered", "reason"), CASES, ids=[c[0] for c in CASES])
def test_verdicts(name: str, signals: Signals, answered: bool, reason: Reason) -> None:
    verdict = decide(signals, MODEL)
    assert (verdict.answer, verdict.reason) == (answered, reason)
    assert verdict.reason.answered == answered
    assert 0.0 <= verdict.confidence <= 1.0


def test_every_reason_code_is_reachable_and_explained() -> None:
    from assistant.decision import EXPLANATIONS

    reached = {decide(signals, MODEL).reason for _n, signals, _a, _r in CASES}
    assert reached == set(Reason)
    assert set(EXPLANATIONS) == set(Reason) - {Reason.BEANTWOORD}


def test_the_same_signals_without_a_named_part_are_off_topic() -> None:
    assert decide(Signals(coverage=1.0, specific_coverage=0.0, dense_rel=2.0), MODEL).reason is Reason.BUITEN_ONDERWERP


def test_rules_decide_before_the_model() -> None:
    assert rule_verdict(Signals(coverage=1.0, dense_rel=3.0)) is None
    certain = rule_verdict(Signals(missing_reference=True))
    assert certain is not None and certain.confidence == 1.0


def test_hinges_bend_the_curve() -> None:
    from assistant.decision.model import expand

    bent = CalibratedModel(("coverage",), ((0.5,),), (0.0, 0.0), (1.0, 1.0), (1.0, 4.0), -1.0)
    low, mid, high = (bent.probability_of([v]) for v in (0.0, 0.5, 1.0))
    assert high - mid > mid - low  # steeper above the knot
    assert expand([0.7], [(0.5,)]) == [0.7, 0.2]


def test_confidence_grows_with_evidence() -> None:
    weak = MODEL.answer.probability(Signals(coverage=0.2, dense_rel=0.0))
    strong = MODEL.answer.probability(Signals(coverage=0.9, dense_rel=4.0))
    assert weak < strong


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoeveel geld trekt het kabinet uit?", "bedrag"),
        ("Wat is het budget?", "bedrag"),
        ("Hoeveel stappen zijn er?", "aantal"),
        ("Op welke datum verscheen het?", "datum"),
        ("Wanneer kwam het advies uit?", "jaar"),
        ("Wie schreef het advies?", "persoon"),
        ("Wat is sociale innovatie?", None),
    ],
)
def test_asked_kind(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


def test_kind_found_in_passages() -> None:
    assert kind_found("jaar", "Wanneer?", "Januari 2014, advies 84.")
    assert not kind_found("bedrag", "Hoeveel geld?", "Werk samen met andere landen.")
    assert kind_found("aantal", "Hoeveel stappen?", "de AWT beschrijft zes concrete stappen:")
    assert not kind_found("aantal", "Hoeveel mensen?", "de AWT beschrijft zes concrete stappen:")


def test_general_language_signals() -> None:
    assert english_share("Which countries should we work with?") >= 0.5
    assert english_share("Met welke landen moet Nederland samenwerken?") == 0.0
    assert specificity("de") < specificity("werkplaatsinnovatie")


def test_shipped_model_loads_and_knows_its_features() -> None:
    model = DecisionModel.load()
    assert set(model.answer.features) <= set(FEATURES) and set(model.topic.features) <= set(FEATURES)
    assert 0.0 < model.hedge_at <= model.answer_at < 1.0 and 0.0 < model.off_topic_at < 1.0
    assert model.report["trained_on"].endswith("train.jsonl")


def test_model_file_errors_are_dutch(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="ontbreekt"):
        DecisionModel.load(tmp_path / "geen.json")
    broken = tmp_path / "kapot.json"
    part = {"features": ["bestaat_niet"], "knots": [[]], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}
    broken.write_text(
        json.dumps({"topic": part, "answer": part, "off_topic_at": 0.5, "answer_at": 0.5, "hedge_at": 0.5}),
        encoding="utf-8",
    )
    with pytest.raises(ModelFileError, match="past niet"):
        DecisionModel.load(broken)
