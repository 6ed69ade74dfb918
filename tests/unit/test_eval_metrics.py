"""The eval metrics on small hand-made cases, each with a right and a wrong answer."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from assistant.contract import Answer, Citation
from evals import metrics as m
from evals.dataset import DatasetError, GoldItem, load_dataset
from evals.gate import THRESHOLDS, check_metrics
from evals.judges import JUDGES, UnknownJudgeError, create_judges, register_judge
from evals.language import detect_language, is_dutch
from evals.scoring import score_item, summarise
from evals.support import LexicalSupportChecker
from evals.text import contains_phrase, content_tokens, fold, marker_numbers, split_sentences

DOC = (
    "De Adviesraad voor het wetenschaps- en technologiebeleid (AWT) heeft een advies over sociale "
    "innovatie uitgebracht aan de regering. Sociale innovatie is vernieuwing van de arbeidsorganisatie "
    "en de inzet van kennis en vaardigheden. De overheid moet ruimte bieden aan experimenten met "
    "nieuwe vormen van samenwerking tussen werkgevers en werknemers."
)
Q_ADVIESRAAD = "De Adviesraad voor het wetenschaps- en technologiebeleid (AWT)"
Q_DEFINITIE = "Sociale innovatie is vernieuwing van de arbeidsorganisatie en de inzet van kennis en vaardigheden."
Q_OVERHEID = "De overheid moet ruimte bieden aan experimenten met nieuwe vormen van samenwerking"


def cite(n: int, quote: str, label: str = "Inleiding", document: str = "advies") -> Citation:
    start = DOC.find(quote)
    return Citation(
        n=n,
        label=label,
        document=document,
        quote=quote,
        score=1.0,
        unit_id=f"u{n}",
        start=start,
        end=start + len(quote),
    )


def answer(text: str, citations: list[Citation], refused: bool = False) -> Answer:
    return Answer(question="vraag", answer=text, citations=citations, refused=refused, backend="nep")


CHECKER = LexicalSupportChecker(threshold=0.6)


# --- text normalisation ---------------------------------------------------------------------


def test_fold_is_case_accent_and_quote_insensitive() -> None:
    assert fold("  België\u00a0“Sociaal” – ‘X’ ") == "belgie \"sociaal\" - 'x'"


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("Het advies noemt België expliciet.", "belgie", True),
        ("Het advies noemt belgie expliciet.", "België", True),
        ("Het advies noemt Nederland.", "België", False),
        ("Het AWT-advies [1] uit 2014", "awt advies uit 2014", True),
        ("Een neutraal standpunt", "EU", False),
        ("Sociale innovaties", "sociale innovatie", True),
        ("De “kracht” van", 'de "kracht" van', True),
        ("Iets", "", False),
    ],
)
def test_contains_phrase(text: str, phrase: str, expected: bool) -> None:
    assert contains_phrase(text, phrase) is expected


def test_marker_numbers_and_content_tokens() -> None:
    assert marker_numbers("A [2]. B [1, 2] en [3;4].") == [2, 1, 3, 4]
    assert content_tokens("Het is [1] een goed plan.") == ["goed", "plan"]
    assert content_tokens("Het is wat het is.") == []


def test_split_sentences_moves_trailing_markers_back() -> None:
    assert split_sentences("Eerste zin [1]. Tweede zin. [2] Derde zin, bijv. met een afkorting. [3]") == [
        "Eerste zin [1].",
        "Tweede zin. [2]",
        "Derde zin, bijv. met een afkorting. [3]",
    ]


def test_split_sentences_keeps_quoted_passages_and_lines() -> None:
    text = (
        "Volgens het advies (Inleiding): „Eerste zin van het citaat. Tweede zin.” [1]\n"
        "Zie ook Wat is sociale innovatie?: “Een definitie. Met uitleg.” [2]\n"
        "Los daarvan geldt iets anders."
    )
    assert split_sentences(text) == [
        "Volgens het advies (Inleiding): „Eerste zin van het citaat. Tweede zin.” [1]",
        "Zie ook Wat is sociale innovatie?: “Een definitie. Met uitleg.” [2]",
        "Los daarvan geldt iets anders.",
    ]


# --- retrieval ----------------------------------------------------------------------------


def test_ranked_labels_follow_n_and_drop_repeats() -> None:
    citations = [
        cite(3, Q_OVERHEID, "Rol overheid"),
        cite(1, Q_ADVIESRAAD, "Inleiding"),
        cite(2, Q_DEFINITIE, "inleiding "),
    ]
    assert m.ranked_labels(citations) == ["inleiding", "rol overheid"]


@pytest.mark.parametrize(
    ("ranked", "expected", "k", "recall"),
    [
        (["a", "b", "c"], ["a"], 1, 1.0),
        (["a", "b", "c"], ["c"], 1, 0.0),
        (["a", "b", "c"], ["c"], 3, 1.0),
        (["a", "b", "c", "d", "e", "f"], ["b", "f"], 3, 0.5),
        (["a", "b", "c", "d", "e", "f"], ["b", "f"], 5, 0.5),
        (["a", "b", "c"], ["a", "b", "c", "d", "e"], 3, 1.0),  # list question: capped by k
        (["a", "x", "c"], ["a", "b", "c", "d", "e"], 3, 2 / 3),
        ([], ["a"], 5, 0.0),
        (["Hoofdstuk 3"], ["hoofdstuk  3"], 1, 1.0),
    ],
)
def test_recall_at_k(ranked: list[str], expected: list[str], k: int, recall: float) -> None:
    assert m.recall_at_k(ranked, expected, k) == pytest.approx(recall)


def test_recall_at_k_rejects_empty_expected() -> None:
    with pytest.raises(ValueError):
        m.recall_at_k(["a"], [], 1)


@pytest.mark.parametrize(
    ("ranked", "expected", "rr"),
    [
        (["a", "b", "c"], ["a"], 1.0),
        (["a", "b", "c"], ["b", "c"], 0.5),
        (["a", "b", "c"], ["c"], 1 / 3),
        (["a"], ["z"], 0.0),
    ],
)
def test_reciprocal_rank(ranked: list[str], expected: list[str], rr: float) -> None:
    assert m.reciprocal_rank(ranked, expected) == pytest.approx(rr)


def test_label_accuracy_top_and_strict() -> None:
    assert m.top_label_correct(["inleiding", "bijlage 4"], ["Inleiding"]) is True
    assert m.top_label_correct(["bijlage 4", "inleiding"], ["Inleiding"]) is False
    assert m.top_label_correct([], ["Inleiding"]) is False
    assert m.missing_labels(["inleiding"], ["Inleiding", "Bijlage 4"]) == ["Bijlage 4"]
    assert m.missing_labels(["bijlage 4", "inleiding"], ["Inleiding", "Bijlage 4"]) == []


# --- citation support --------------------------------------------------------------------


def test_quote_verbatim_and_offsets() -> None:
    good = cite(1, Q_DEFINITIE)
    assert m.quote_is_verbatim(good.quote, DOC) and m.quote_offsets_match(good, DOC)
    altered = good.model_copy(update={"quote": Q_DEFINITIE.replace("vernieuwing", "verbetering")})
    assert not m.quote_is_verbatim(altered.quote, DOC)
    assert not m.quote_is_verbatim(Q_DEFINITIE.lower(), DOC)  # verbatim means exact case too
    assert not m.quote_is_verbatim("", DOC)
    shifted = good.model_copy(update={"start": good.start + 1, "end": good.end + 1})
    assert m.quote_is_verbatim(shifted.quote, DOC) and not m.quote_offsets_match(shifted, DOC)


def test_missing_support() -> None:
    quotes = [Q_DEFINITIE]
    assert m.missing_support(["vernieuwing van de Arbeidsorganisatie"], quotes) == []
    assert m.missing_support(["vernieuwing van de arbeidsorganisatie", "samenwerking"], quotes) == ["samenwerking"]


def test_sentence_support_all_supported() -> None:
    text = f"{Q_DEFINITIE[:-1]} [1]. {Q_OVERHEID} [2]."
    result = m.sentence_support(text, [cite(1, Q_DEFINITIE), cite(2, Q_OVERHEID)], CHECKER)
    assert result.support_rate == 1.0
    assert result.citation_precision == 1.0
    assert result.unsupported == []


def test_sentence_support_detects_unsupported_sentence() -> None:
    text = f"{Q_DEFINITIE[:-1]} [1]. De AWT wil de belastingen voor bedrijven flink verlagen [1]."
    result = m.sentence_support(text, [cite(1, Q_DEFINITIE)], CHECKER)
    assert result.support_rate == 0.5
    assert [check.sentence for check in result.unsupported] == [
        "De AWT wil de belastingen voor bedrijven flink verlagen [1]."
    ]
    assert result.citation_precision == 0.5


def test_quoted_multi_sentence_passage_is_one_supported_claim() -> None:
    quote = f"{Q_DEFINITIE} {Q_OVERHEID}."
    text = f"Volgens het advies (Inleiding): „{quote}” [1]"
    result = m.sentence_support(text, [cite(1, quote)], CHECKER)
    assert len(result.checks) == 1 and result.support_rate == 1.0


def test_claim_may_name_the_label_of_its_passage_and_lead_ins_are_skipped() -> None:
    short = "Zorg voor kennisbeleid rond sociale innovatie"
    text = f"Volgens het advies:\nZie ook Aanbeveling 3, stap 4: „{short}” [1]"
    result = m.sentence_support(text, [cite(1, short, label="Aanbeveling 3, stap 4")], CHECKER)
    assert [check.sentence for check in result.checks] == [f"Zie ook Aanbeveling 3, stap 4: „{short}” [1]"]
    assert result.support_rate == 1.0
    wrong_label = m.sentence_support(text, [cite(1, short, label="Inleiding")], CHECKER)
    assert wrong_label.support_rate == 0.0


def test_sentence_without_marker_or_with_unknown_marker_is_unsupported() -> None:
    result = m.sentence_support(f"{Q_DEFINITIE} Meer hierover in de bijlage [7].", [cite(1, Q_DEFINITIE)], CHECKER)
    assert result.support_rate == 0.0
    assert result.citation_precision == 0.0


def test_citation_precision_flags_needless_citation() -> None:
    text = f"{Q_DEFINITIE[:-1]} [1][2]."
    result = m.sentence_support(text, [cite(1, Q_DEFINITIE), cite(2, Q_OVERHEID)], CHECKER)
    assert result.support_rate == 1.0
    assert result.checks[0].precise == [1]
    assert result.citation_precision == 0.5


def test_sentence_support_skips_sentences_without_content() -> None:
    result = m.sentence_support("Dat is zo.", [], CHECKER)
    assert result.checks == [] and result.support_rate is None and result.citation_precision is None


def test_lexical_checker_threshold_is_a_parameter() -> None:
    sentence = "Sociale innovatie vraagt om experimenten en lef."
    passages = ["Ruimte voor experimenten met sociale innovatie."]
    coverage = LexicalSupportChecker().coverage(sentence, passages)
    assert 0.0 < coverage < 1.0
    assert LexicalSupportChecker(threshold=coverage).supports(sentence, passages)
    assert not LexicalSupportChecker(threshold=min(1.0, coverage + 0.01)).supports(sentence, passages)
    with pytest.raises(ValueError):
        LexicalSupportChecker(threshold=1.5)


# --- key facts, refusal, language --------------------------------------------------------


def test_key_facts_met_and_missed() -> None:
    groups = [["België", "Vlaanderen"], ["2014"], ["arbeidsorganisatie"]]
    assert m.key_facts_met("In belgie verscheen in 2014 ook iets.", groups) == [True, True, False]
    assert m.key_fact_recall("In BELGIË [1] verscheen in 2014 iets over de arbeidsorganisatie.", groups) == 1.0
    assert m.key_fact_recall("Daar zegt het advies niets over.", groups) == 0.0
    assert m.key_fact_recall("Vlaanderen", groups) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        m.key_fact_recall("x", [])


@pytest.mark.parametrize(
    ("answerable", "refused", "correct"),
    [(True, False, True), (True, True, False), (False, True, True), (False, False, False)],
)
def test_refusal_correct(answerable: bool, refused: bool, correct: bool) -> None:
    assert m.refusal_correct(answerable, refused) is correct


def test_language_detection() -> None:
    assert is_dutch("Volgens het advies moet de overheid ruimte bieden aan experimenten met sociale innovatie [1].")
    assert not is_dutch("According to the advice, the government should make room for experiments [1].")
    assert detect_language("Der Rat empfiehlt der Regierung, mehr Raum für Experimente zu schaffen.") == "de"
    assert detect_language("[1] [2]") is None and not is_dutch("")


# --- aggregation helpers ------------------------------------------------------------------


def test_mean_robustness_and_removed() -> None:
    assert m.mean([1.0, None, 0.0, True]) == pytest.approx(2 / 3)
    assert m.mean([None]) is None
    assert m.robustness_drop([(1.0, 0.0), (1.0, 1.0)]) == 0.5
    assert m.robustness_drop([(0.5, 1.0)]) == -0.5
    assert m.robustness_drop([(None, 1.0)]) is None
    assert m.removed_count({"removed": ["a", "b"]}) == 2
    assert m.removed_count(answer("x", [])) == 0

    class WithRemoved:
        removed = ["één zin"]

    assert m.removed_count(WithRemoved()) == 1


# --- per-item scoring and summary ----------------------------------------------------------


def item(**fields: object) -> GoldItem:
    base: dict[str, object] = {
        "id": "def",
        "question": "Wat is sociale innovatie?",
        "expected_citations": ["Inleiding"],
        "support": ["vernieuwing van de arbeidsorganisatie"],
        "key_facts": [["arbeidsorganisatie"], ["kennis en vaardigheden"]],
        "answerable": True,
    }
    base.update(fields)
    return GoldItem.model_validate(base)


def documents(name: str) -> str | None:
    return DOC if name == "advies" else None


def test_score_item_good_answer_has_no_problems() -> None:
    good = answer(f"{Q_DEFINITIE[:-1]} [1].", [cite(1, Q_DEFINITIE)])
    result = score_item(item(), good, documents, CHECKER)
    assert result.problems == []
    assert result.metrics["label_accuracy"] == 1.0 and result.metrics["key_fact_recall"] == 1.0
    assert result.metrics["quote_verbatim_rate"] == 1.0 and result.metrics["dutch"] == 1.0


def test_score_item_bad_answer_lists_what_is_missing() -> None:
    wrong_quote = cite(1, Q_OVERHEID, label="Rol overheid").model_copy(
        update={"quote": "De overheid moet alles regelen"}
    )
    bad = answer("The government should regulate everything [1].", [wrong_quote])
    result = score_item(item(), bad, documents, CHECKER)
    text = "\n".join(result.problems)
    assert "Eerste bron is 'Rol overheid'" in text
    assert "Kernfeit ontbreekt" in text and "kennis en vaardigheden" in text
    assert "niet letterlijk" in text
    assert "Geen geciteerde passage bevat" in text
    assert "niet herkend als Nederlands" in text
    assert "Zin niet gedekt" in text
    assert result.metrics["label_accuracy"] == 0.0 and result.metrics["quote_verbatim_rate"] == 0.0


def test_score_item_unknown_document_is_a_problem_not_a_crash() -> None:
    result = score_item(
        item(), answer(f"{Q_DEFINITIE} [1]", [cite(1, Q_DEFINITIE, document="weg")]), documents, CHECKER
    )
    assert result.metrics["quote_verbatim_rate"] == 0.0
    assert any("niet beschikbaar" in problem for problem in result.problems)


def test_summary_refusal_metrics_and_robustness() -> None:
    good = answer(f"{Q_DEFINITIE[:-1]} [1].", [cite(1, Q_DEFINITIE)])
    refusal = answer("Daar gaat dit advies niet over, dus die vraag kan ik niet beantwoorden.", [], refused=True)
    results = [
        score_item(item(id="a"), good, documents, CHECKER),
        score_item(item(id="a-typo", variant_of="a"), refusal, documents, CHECKER),  # false refusal
        score_item(
            item(id="weer", answerable=False, expected_citations=[], key_facts=[], support=[]),
            refusal,
            documents,
            CHECKER,
        ),
        score_item(
            item(id="voetbal", answerable=False, expected_citations=[], key_facts=[], support=[]),
            good,
            documents,
            CHECKER,
        ),
    ]
    summary = summarise(results)
    assert summary["refusal_accuracy"] == 0.5
    assert summary["false_refusal_rate"] == 0.5
    assert summary["label_accuracy"] == 0.5
    assert summary["key_fact_recall"] == 0.5
    assert summary["robustness_key_fact_drop"] == 1.0
    assert summary["robustness_label_drop"] == 1.0
    assert summary["quote_verbatim_rate"] == 1.0
    assert summary["dutch_rate"] == 1.0


# --- gate -----------------------------------------------------------------------------------


def test_gate_thresholds_and_regressions() -> None:
    current = {"label_accuracy": 0.89, "mrr": 0.95, "recall_at_3": 0.97, "recall_at_5": None}
    baseline = {"mrr": 0.98, "recall_at_3": 0.98, "recall_at_5": 1.0}
    by_key = {c.key: c for c in check_metrics(current, baseline)}
    assert by_key["label_accuracy"].threshold_ok is False and by_key["label_accuracy"].failed
    assert by_key["mrr"].threshold_ok is None and by_key["mrr"].regressed  # 0.03 worse than the baseline
    assert by_key["mrr"].delta == pytest.approx(-0.03)
    assert by_key["recall_at_3"].threshold_ok is True and not by_key["recall_at_3"].failed  # 0.01 worse
    assert not by_key["recall_at_5"].failed and by_key["recall_at_5"].delta is None
    assert [c.key for c in check_metrics({"mrr": 1.0, "recall_at_1": 1.0})] == ["recall_at_1", "mrr"]


def test_gate_tolerance_boundary_and_direction() -> None:
    at_tolerance = check_metrics({"mrr": 0.98}, {"mrr": 1.0}, tolerance=0.02)[0]
    assert not at_tolerance.regressed
    assert check_metrics({"mrr": 0.97}, {"mrr": 1.0}, tolerance=0.02)[0].regressed
    worse_refusals = check_metrics({"false_refusal_rate": 0.05}, {"false_refusal_rate": 0.0})[0]
    assert worse_refusals.regressed and worse_refusals.threshold_ok is True
    assert not check_metrics({"false_refusal_rate": 0.0}, {"false_refusal_rate": 0.05})[0].regressed
    drop = check_metrics({"robustness_label_drop": 0.5}, {"robustness_label_drop": 0.0})[0]
    assert not drop.regressed and not drop.failed  # informational
    assert check_metrics({"quote_verbatim_rate": 0.999})[0].failed
    assert set(THRESHOLDS) >= {"label_accuracy", "decision_accuracy", "key_fact_recall", "recall_at_3"}


# --- dataset validation --------------------------------------------------------------------


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD_LINE = json.dumps(
    {"id": "a", "question": "Wat?", "expected_citations": ["Inleiding"], "key_facts": [["x"]], "answerable": True}
)


def test_dataset_loads_and_keeps_extra_fields(tmp_path: Path) -> None:
    line = json.dumps(
        {
            "id": "b",
            "question": "En toen?",
            "history": [{"role": "user", "content": "Wat?"}, {"role": "assistant", "content": "Dit."}],
            "answerable": False,
            "category": "vervolgvraag",
            "variant_of": "a",
            "notitie": "extra veld",
        }
    )
    items = load_dataset(write_lines(tmp_path / "d.jsonl", [GOOD_LINE, "", line]))
    assert [i.id for i in items] == ["a", "b"]
    assert items[1].history[1].role == "assistant" and items[1].variant_of == "a"


@pytest.mark.parametrize(
    ("bad_line", "fragment"),
    [
        ('{"id": "b", "question": ', "geen geldige JSON"),
        ('["geen", "object"]', "verwacht een JSON-object"),
        ('{"id": "b", "question": "Wat?"}', "veld 'answerable' ontbreekt"),
        ('{"id": "b", "question": "Wat?", "answerable": "misschien"}', "veld 'answerable' moet true of false zijn"),
        ('{"id": "b", "question": "Wat?", "answerable": true, "key_facts": [[]]}', "groep 1 heeft geen alternatieven"),
        (
            '{"id": "b", "question": "Wat?", "answerable": true, "history": [{"role": "system", "content": "x"}]}',
            "veld 'history.0.role'",
        ),
        ('{"id": "a", "question": "Nog eens?", "answerable": true}', "id 'a' komt al voor op regel 1"),
        (
            '{"id": "b", "question": "Wat?", "answerable": true, "variant_of": "zz"}',
            "variant_of 'zz' verwijst naar een onbekend id",
        ),
    ],
)
def test_dataset_errors_name_the_line_in_dutch(tmp_path: Path, bad_line: str, fragment: str) -> None:
    path = write_lines(tmp_path / "d.jsonl", [GOOD_LINE, "", bad_line])
    with pytest.raises(DatasetError) as caught:
        load_dataset(path)
    assert "regel 3" in str(caught.value)
    assert fragment in str(caught.value)


def test_dataset_empty_or_missing(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="bevat geen items"):
        load_dataset(write_lines(tmp_path / "leeg.jsonl", [""]))
    with pytest.raises(DatasetError, match="Kan de dataset"):
        load_dataset(tmp_path / "bestaat-niet.jsonl")


# --- judges extension point ----------------------------------------------------------------


def test_judge_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("evals.judges.JUDGES", {})
    with pytest.raises(UnknownJudgeError, match="Onbekende beoordelaar 'llm'"):
        create_judges(["llm"], "extractief")

    class Constant:
        name = "vast"

        def score(self, item: GoldItem, answer: Answer) -> float | None:
            return 0.25

    register_judge("vast", lambda backend: Constant())
    judges = create_judges(["vast"], "extractief")
    result = score_item(item(), answer("x", []), documents, CHECKER, judges=judges)
    assert result.metrics["judge_vast"] == 0.25
    assert summarise([result])["judge_vast"] == 0.25
    assert "vast" not in JUDGES  # the real registry stays empty


# --- several documents: labels taken apart, the document scored apart ----------------------------


def test_label_parts_undo_what_citation_label_writes() -> None:
    from knowledge import citation_label
    from knowledge.units import Unit

    unit = Unit("d#aanbeveling-3-stap-6", "d.pdf", "Aanbeveling 3, stap 6", (), "Tekst.", 0, 6, page=4)
    for title in (None, "Zuinig met zoet water"):
        for page in (None, 4):
            label = citation_label(dataclasses.replace(unit, page=page), title)
            assert m.label_parts(label) == m.LabelParts("Aanbeveling 3, stap 6", title, page), label


def test_labels_compare_by_their_structural_part() -> None:
    citations = [
        cite(1, Q_ADVIESRAAD, "Aanbeveling 2 van ‘Zuinig met zoet water’, p. 3", "water.pdf"),
        cite(2, Q_DEFINITIE, "Aanbeveling 2 van ‘De kracht van sociale innovatie’"),
        cite(3, Q_OVERHEID, "Rol overheid"),
    ]
    assert m.ranked_labels(citations) == ["aanbeveling 2", "rol overheid"]
    assert m.top_label_correct(m.ranked_labels(citations), ["Aanbeveling 2"])


def test_cites_document_by_file_name_stem_or_title() -> None:
    citation = cite(1, Q_ADVIESRAAD, "Bijlage 2 van ‘Zuinig met zoet water’, p. 5", "docs/water.pdf")
    for name in ("docs/water.pdf", "water.pdf", "water", "zuinig met zoet water"):
        assert m.cites_document(citation, name), name
    assert not m.cites_document(citation, "advies")
    assert not m.cites_document(cite(1, Q_ADVIESRAAD, "Bijlage 2"), "Zuinig met zoet water")


SCOPED = {
    "expected_citations": ["Aanbeveling 2"],
    "support": [],
    "key_facts": [],
    "expected_document": "advies",
    "only_expected_document": True,
}


def test_document_metrics_right_document_only_that_document() -> None:
    right = answer(f"{Q_DEFINITIE[:-1]} [1].", [cite(1, Q_DEFINITIE, "Aanbeveling 2 van ‘Advies’")])
    result = score_item(item(**SCOPED), right, documents, CHECKER)
    assert result.problems == []
    assert result.metrics["document_accuracy"] == result.metrics["document_label_accuracy"] == 1.0
    assert result.metrics["document_exclusive_rate"] == 1.0


def test_document_metrics_another_document_first_or_besides() -> None:
    other = cite(1, Q_DEFINITIE, "Aanbeveling 2 van ‘Ander advies’", "ander.txt")
    own = cite(2, Q_OVERHEID, "Aanbeveling 2 van ‘Advies’")
    result = score_item(item(**SCOPED), answer(f"{Q_DEFINITIE} [1] {Q_OVERHEID} [2]", [other, own]), documents, CHECKER)
    assert result.metrics["label_accuracy"] == 1.0  # the structural label is right ...
    assert result.metrics["document_accuracy"] == 0.0  # ... in the wrong document
    assert result.metrics["document_label_accuracy"] == 0.0
    assert result.metrics["document_exclusive_rate"] == 0.0
    text = "\n".join(result.problems)
    assert "Eerste bron komt uit 'ander.txt'; verwacht 'advies'" in text
    assert "Citeert ook andere documenten dan 'advies': 'ander.txt'" in text

    second = score_item(
        item(**SCOPED),
        answer(
            f"{Q_OVERHEID} [1] {Q_DEFINITIE} [2]", [own.model_copy(update={"n": 1}), other.model_copy(update={"n": 2})]
        ),
        documents,
        CHECKER,
    )
    assert second.metrics["document_accuracy"] == 1.0 and second.metrics["document_exclusive_rate"] == 0.0


def test_document_coverage_for_a_question_several_documents_answer() -> None:
    several = item(
        expected_citations=["Aanbeveling 2"], support=[], key_facts=[], expected_documents=["advies", "ander.txt"]
    )
    one = answer(f"{Q_DEFINITIE} [1]", [cite(1, Q_DEFINITIE, "Aanbeveling 2 van ‘Advies’")])
    result = score_item(several, one, documents, CHECKER)
    assert result.metrics["document_coverage"] == 0.5
    assert "Geen bron uit de documenten: 'ander.txt'." in result.problems
    assert result.metrics.get("document_accuracy") is None  # no expected_document: not scored


def test_document_metrics_only_in_the_summary_of_sets_that_ask_for_them() -> None:
    good = answer(f"{Q_DEFINITIE[:-1]} [1].", [cite(1, Q_DEFINITIE)])
    plain = summarise([score_item(item(), good, documents, CHECKER)])
    assert not any(key.startswith("document_") for key in plain)
    scoped = score_item(item(**{**SCOPED, "id": "s"}), good, documents, CHECKER)
    refused = score_item(
        item(id="r", answerable=False, expected_citations=[], key_facts=[], support=[]), good, documents, CHECKER
    )
    summary = summarise([score_item(item(), good, documents, CHECKER), scoped, refused])
    assert summary["document_accuracy"] == 1.0 and summary["document_exclusive_rate"] == 1.0
    assert "document_coverage" not in summary


def test_dataset_document_fields_are_optional_and_checked(tmp_path: Path) -> None:
    scoped = json.dumps(
        {
            "id": "s",
            "question": "Wat?",
            "answerable": True,
            "expected_document": "a.pdf",
            "only_expected_document": True,
        }
    )
    items = load_dataset(write_lines(tmp_path / "d.jsonl", [GOOD_LINE, scoped]))
    assert (
        items[0].expected_document is None and not items[0].only_expected_document and items[0].expected_documents == []
    )
    assert items[1].expected_document == "a.pdf" and items[1].only_expected_document
    bad = json.dumps({"id": "s", "question": "Wat?", "answerable": True, "only_expected_document": True})
    with pytest.raises(
        DatasetError, match="regel 2 \\(item 's'\\): veld 'only_expected_document' vraagt om een 'expected_document'"
    ):
        load_dataset(write_lines(tmp_path / "e.jsonl", [GOOD_LINE, bad]))
    blank = json.dumps({"id": "s", "question": "Wat?", "answerable": True, "expected_documents": [" "]})
    with pytest.raises(DatasetError, match="expected_documents"):
        load_dataset(write_lines(tmp_path / "f.jsonl", [GOOD_LINE, blank]))
