"""Sentence-level verification of generated answers (no chat model involved)."""

from __future__ import annotations

import pytest

from assistant.generative.verify import (
    LexicalSupportChecker,
    Passage,
    SupportChecker,
    claim_tokens,
    marker_numbers,
    split_lines,
    verify,
)
from knowledge.units import Unit


def unit(uid: str, label: str, text: str) -> Unit:
    return Unit(id=uid, document="advies.txt", label=label, heading_path=(), text=text, start=0, end=len(text))


PASSAGES = [
    Passage(
        1,
        unit("inl", "Inleiding", "In 2014 heeft de AWT een advies over sociale innovatie uitgebracht aan de regering."),
        0.9,
    ),
    Passage(
        2, unit("s5", "Aanbeveling 3, stap 5", "KNAW en NWO moeten onderzoek naar sociale innovatie stimuleren."), 0.8
    ),
    Passage(3, unit("s6", "Aanbeveling 3, stap 6", "Werk samen met landen als Duitsland, Australië en Canada."), 0.7),
]


def test_split_lines_keeps_bullets_and_moves_trailing_markers_back() -> None:
    text = "Antwoord:\n1. Eerste punt. [1]\n* Tweede punt [2]. Derde punt. [3]\n\n"
    assert split_lines(text) == [
        ("", ["Antwoord:"]),
        ("- ", ["Eerste punt. [1]"]),
        ("- ", ["Tweede punt [2].", "Derde punt. [3]"]),
    ]


def test_marker_numbers_reads_lists_of_markers() -> None:
    assert marker_numbers("A [2]. B [1; 2] en [3,4].") == [2, 1, 3, 4]


def test_a_preamble_and_wordy_markers_are_normalised() -> None:
    result = verify("Antwoord: KNAW en NWO moeten onderzoek stimuleren [bron 2].", PASSAGES)
    assert result.text == "KNAW en NWO moeten onderzoek stimuleren [1]."
    assert [c.unit_id for c in result.citations] == ["s5"]


def test_a_wrong_number_is_not_supported() -> None:
    result = verify("In 2015 heeft de AWT een advies uitgebracht aan de regering [1].", PASSAGES, repair=False)
    assert result.text == "" and result.removed == ["In 2015 heeft de AWT een advies uitgebracht aan de regering."]


def test_a_sentence_drawing_on_two_cited_passages_keeps_both() -> None:
    sentence = "KNAW en NWO moeten onderzoek stimuleren en samenwerken met Duitsland en Canada [2][3]."
    result = verify(sentence, PASSAGES)
    assert result.text == "KNAW en NWO moeten onderzoek stimuleren en samenwerken met Duitsland en Canada [1][2]."
    assert [c.unit_id for c in result.citations] == ["s5", "s6"]


def test_a_marker_that_does_not_help_is_dropped() -> None:
    result = verify("Werk samen met Duitsland, Australië en Canada [1][3].", PASSAGES)
    assert result.text == "Werk samen met Duitsland, Australië en Canada [1]."
    assert [c.unit_id for c in result.citations] == ["s6"]


def test_a_sentence_without_a_marker_gets_the_supporting_passage_or_goes() -> None:
    result = verify("Werk samen met Duitsland en Canada. Het weer wordt mooi.", PASSAGES)
    assert result.text == "Werk samen met Duitsland en Canada [1]."
    assert result.removed == ["Het weer wordt mooi."]
    assert result.corrected == 1


def test_a_lead_in_is_kept_only_when_what_follows_supports_it() -> None:
    good = verify("Samen met landen werken:\n- Duitsland en Canada [3].", PASSAGES)
    assert good.text == "Samen met landen werken:\n- Duitsland en Canada [1]."
    bad = verify("Er zijn vijftig ministeries betrokken:\n- Duitsland en Canada [3].", PASSAGES)
    assert bad.text == "- Duitsland en Canada [1]." and bad.removed == ["Er zijn vijftig ministeries betrokken:"]


def test_a_content_free_sentence_is_removed() -> None:
    result = verify("JA! Ja. Werk samen met Duitsland en Canada [3].", PASSAGES)
    assert result.text == "Werk samen met Duitsland en Canada [1]."
    assert result.removed == ["JA!", "Ja."]


def test_the_no_answer_sentence_is_recognised() -> None:
    result = verify(
        "Het advies geeft hier geen antwoord op.", PASSAGES, no_answer="Het advies geeft hier geen antwoord op."
    )
    assert result.said_no_answer and result.text == "" and result.removed == []


def test_framing_words_do_not_count_against_support() -> None:
    assert claim_tokens("Volgens het advies stelt men:") == []
    checker = LexicalSupportChecker()
    assert checker.score("Volgens het advies moeten KNAW en NWO onderzoek stimuleren.", PASSAGES[1].evidence) == 1.0


def test_the_checker_is_pluggable() -> None:
    class Everything:
        threshold = 0.5

        def score(self, sentence: str, passage: str) -> float:
            return 1.0

    assert isinstance(Everything(), SupportChecker)
    result = verify("De maan is van kaas [2].", PASSAGES, Everything())
    assert result.text == "De maan is van kaas [1]." and result.removed == []


def test_the_threshold_is_validated() -> None:
    with pytest.raises(ValueError):
        LexicalSupportChecker(threshold=0)


def test_a_quoted_passage_of_two_sentences_stays_one_claim() -> None:
    assert split_lines("De AWT zegt: „Eerste zin. Tweede zin.” [1] Daarna iets anders [2].") == [
        ("", ["De AWT zegt: „Eerste zin. Tweede zin.” [1]", "Daarna iets anders [2]."])
    ]
    result = verify("Stap 5 luidt: „KNAW en NWO moeten onderzoek naar sociale innovatie stimuleren.” [2]", PASSAGES)
    assert result.text == "Stap 5 luidt: „KNAW en NWO moeten onderzoek naar sociale innovatie stimuleren.” [1]"


def test_a_sentence_naming_another_step_than_the_cited_passage_is_not_supported() -> None:
    steps = [
        Passage(
            1, unit("s3", "Aanbeveling 3, stap 3", "Stem het bestaande bedrijvenbeleid af op sociale innovatie."), 0.9
        ),
        Passage(
            2,
            unit("s5", "Aanbeveling 3, stap 5", "KNAW en NWO moeten onderzoek naar sociale innovatie stimuleren."),
            0.8,
        ),
    ]
    wrong = verify("De vijfde stap is: stem het bestaande bedrijvenbeleid af op sociale innovatie [1].", steps)
    assert wrong.text == "" and len(wrong.removed) == 1
    right = verify("De derde stap is: stem het bestaande bedrijvenbeleid af op sociale innovatie [2].", steps)
    assert right.text == "De derde stap is: stem het bestaande bedrijvenbeleid af op sociale innovatie [1]."
    assert [c.unit_id for c in right.citations] == ["s3"] and right.corrected == 1


def test_generated_citations_carry_the_page_of_a_pdf_like_the_extractive_ones() -> None:
    page_unit = Unit(
        id="r#s5",
        document="rapport.pdf",
        label="Aanbeveling 3, stap 5",
        heading_path=(),
        text="KNAW en NWO moeten onderzoek naar sociale innovatie stimuleren.",
        start=0,
        end=64,
        page=47,
    )
    result = verify("KNAW en NWO moeten onderzoek stimuleren [1].", [Passage(1, page_unit, 0.8)])
    assert [c.label for c in result.citations] == ["Aanbeveling 3, stap 5, p. 47"]

    # with several documents loaded the passage carries its document's title, and the citation names it
    titled = verify("KNAW en NWO moeten onderzoek stimuleren [1].", [Passage(1, page_unit, 0.8, "Het rapport")])
    assert [c.label for c in titled.citations] == ["Aanbeveling 3, stap 5 van ‘Het rapport’, p. 47"]
