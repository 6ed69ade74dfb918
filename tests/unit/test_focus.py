"""Which loaded document a question points to: by the words that name a document, or by its specific words."""

from __future__ import annotations

import pytest

from assistant.focus import CONTENT_RATIO, MIN_CONTENT, DocumentFocus, Focus, question_focus
from index.references import StructureIndex
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from knowledge.units import Document, Unit

WATER = Document(
    "awk-advies-12.pdf",
    "Zuinig met zoet water",
    "De raad doet drie aanbevelingen over drinkwater. Bescherm de bronnen van drinkwater. Verlaag het "
    "drinkwatergebruik. De raad vraagt de minister om een agenda.",
    kind="het advies",
    short_name="AWK",
    reference="advies 12",
    author="de Adviesraad voor Water en Klimaat",
)
BIKES = Document(
    "psf-notitie.docx",
    "Stappenplan fietsparkeren bij stations",
    "De werkgroep noemt vijf stappen. Tel de fietsen in de stallingen. Maak stallen gratis. De raad van de "
    "gemeente beslist.",
    kind="de notitie",
    short_name="PSF",
)
INCLUSION = Document(
    "inclusie.txt",
    "Niemand buitenspel",
    "De raad doet twee aanbevelingen over digitale inclusie. Geef bibliotheken geld voor cursussen digitale "
    "vaardigheden. Ouderen vragen hulp bij digitale zaken.",
)
NOUNS = {"aanbeveling", "stap", "bijlage"}


@pytest.fixture(scope="module")
def focus() -> DocumentFocus:
    return DocumentFocus((WATER, BIKES, INCLUSION), NOUNS)


@pytest.mark.parametrize(
    ("question", "documents", "basis"),
    [
        ("Wat is de tweede aanbeveling van de AWK?", {WATER.name}, "naam"),  # its short name
        ("Wat is stap 2 in het AWK-advies?", {WATER.name}, "naam"),  # "advies" alone is two documents' kind
        ("Wat zegt advies 12 over de tweede aanbeveling?", {WATER.name}, "naam"),  # its reference, as a phrase
        ("Welke stappen noemt de notitie?", {BIKES.name}, "naam"),  # the only document of its kind
        ("Welke aanbevelingen doet de raad over bibliotheken?", {INCLUSION.name}, "inhoud"),
        ("Wat is de eerste aanbeveling over ouderen?", {INCLUSION.name}, "inhoud"),
        ("Wat is de tweede aanbeveling?", set(), ""),  # the reference itself points nowhere
        ("Welke aanbevelingen doet de raad?", set(), ""),  # a word every document uses decides nothing
        ("Wat is de tweede aanbeveling over kernenergie?", set(), ""),  # a word no document uses either
    ],
)
def test_the_question_points_to(focus: DocumentFocus, question: str, documents: set[str], basis: str) -> None:
    found = focus.point(question)
    assert set(found.documents) == documents
    assert found.basis == basis


def test_the_structural_reference_is_no_evidence(focus: DocumentFocus) -> None:
    assert focus.remaining_words("Wat is de vijfde stap van de derde aanbeveling over ouderen?") == ["ouderen"]
    # "12" after a label noun is part of the reference, not the document's number
    assert not focus.point("Wat is aanbeveling 12?")


def test_a_question_naming_two_documents_points_to_both(focus: DocumentFocus) -> None:
    found = focus.point("Vergelijk de tweede aanbeveling van de AWK met die van de PSF")
    assert found.documents == {WATER.name, BIKES.name}


def test_content_must_lean_far_enough_one_way() -> None:
    # "drinkwater" in both, a little denser in one: not the clear lead the ratio asks for
    a = Document("a.txt", "A", "drinkwater drinkwater bronnen beleid beleid beleid")
    b = Document("b.txt", "B", "drinkwater bronnen beleid beleid beleid beleid")
    found = DocumentFocus((a, b), NOUNS).point("Wat is de tweede aanbeveling over drinkwater?")
    assert not found
    scores = sorted(e.content for e in found.evidence)
    assert scores[0] > 0 and scores[1] < CONTENT_RATIO * scores[0]


def test_common_words_alone_do_not_decide() -> None:
    a = Document("a.txt", "A", "De raad gaat over het beleid en staat erachter.")
    b = Document("b.txt", "B", "Drinkwater uit bronnen.")
    found = DocumentFocus((a, b), NOUNS).point("Wat is de tweede aanbeveling die gaat?")
    assert not found
    assert max(e.content for e in found.evidence) < MIN_CONTENT


def test_one_document_never_needs_a_focus() -> None:
    advice = load_knowledge(DEFAULT_KNOWLEDGE_DIR).documents
    assert not DocumentFocus(advice, NOUNS).point("Wat is de tweede aanbeveling over sociale innovatie?")


def test_a_follow_up_stays_in_the_conversations_document(focus: DocumentFocus) -> None:
    earlier = ["Wat is de tweede aanbeveling over drinkwater?"]
    found = question_focus(focus, "En de derde?", earlier, follow_up=True)
    assert found == Focus(frozenset({WATER.name}), "gesprek")
    # a follow-up that itself followed up: back to the question that pointed somewhere
    chain = ["En de tweede?", "Wat is de eerste aanbeveling over ouderen?"]
    assert question_focus(focus, "En de derde?", chain, follow_up=True).documents == {INCLUSION.name}


def test_a_follow_up_that_names_another_document_goes_there(focus: DocumentFocus) -> None:
    earlier = ["Wat is de tweede aanbeveling over drinkwater?"]
    found = question_focus(focus, "En de tweede stap van de notitie?", earlier, follow_up=True)
    assert found.documents == {BIKES.name} and found.basis == "naam"


def test_no_conversation_document_after_a_fresh_question_that_pointed_nowhere(focus: DocumentFocus) -> None:
    earlier = ["Welke aanbevelingen doet de raad?", "Wat is de eerste aanbeveling over drinkwater?"]
    assert not question_focus(focus, "En de derde?", earlier, follow_up=True)
    # a bare question ("Wat is de tweede aanbeveling?") leans on the conversation, as resolve_question reads it
    bare = ["Wat is de tweede aanbeveling?", "Wat is de eerste aanbeveling over drinkwater?"]
    assert question_focus(focus, "En de derde?", bare, follow_up=True).documents == {WATER.name}
    # and a question that is no follow-up is not kept in the conversation's document
    assert not question_focus(focus, "Wat is de derde aanbeveling?", earlier[1:], follow_up=False)


def test_the_last_item_is_each_documents_own() -> None:
    units = load_knowledge(DEFAULT_KNOWLEDGE_DIR).units
    other = [
        type(u)(**{**u.__dict__, "id": f"b#{u.id}", "document": "b.txt"})
        for u in units
        if u.label in ("Aanbeveling 1", "Aanbeveling 2")
    ]
    structure = StructureIndex([*units, *other])
    named = structure.resolve(structure.parse("Wat is de laatste aanbeveling?"))
    assert sorted((u.document, u.label) for u in named) == [
        ("awt-advies-84-sociale-innovatie.txt", "Aanbeveling 3"),
        ("b.txt", "Aanbeveling 2"),
    ]


def _advice(name: str, recommendations: list[str], extra: str = "") -> Document:
    """A document whose units are its numbered recommendations (and one paragraph of ``extra`` text)."""
    text, units = extra, []
    for number, recommendation in enumerate(recommendations, start=1):
        start = len(text) + 1
        text = f"{text}\n{recommendation}"
        units.append(
            Unit(f"{name}#{number}", name, f"Aanbeveling {number}", (), recommendation, start, len(text), "list_item")
        )
    return Document(name, name.split(".")[0].capitalize(), text, tuple(units))


def test_the_named_part_that_speaks_of_the_topic_decides_when_the_texts_do_not() -> None:
    first = _advice("eerste.txt", ["Open een loket in elke gemeente.", "Geef bibliotheken geld."])
    second = _advice("tweede.txt", ["Investeer in kennis van ambtenaren.", "Richt een loket voor innovatie in."])
    # a third document speaks of counters far more, but has no recommendations: it is not a candidate
    third = Document("derde.txt", "Derde", "Het loket, het loket en nog eens het loket. Loketten overal.")
    documents = (first, second, third)
    structure = StructureIndex([u for d in documents for u in d.units])
    focus = DocumentFocus(documents, structure=structure)
    found = focus.point("Wat is de eerste aanbeveling over het loket?")
    assert found.documents == {"eerste.txt"} and found.basis == "onderdeel"
    assert focus.point("Wat is de tweede aanbeveling over het loket?").documents == {"tweede.txt"}
    # both first recommendations and neither about the topic: nothing to choose by
    assert not focus.point("Wat is de eerste aanbeveling over subsidies?")
    # without a reference to parts, the texts alone decide, and the third one speaks of counters most
    assert focus.point("Wat zegt men over het loket?").documents == {"derde.txt"}


def test_words_every_lists_lead_in_shares_do_not_single_one_out() -> None:
    first = _advice("eerste.txt", ["Open een loket.", "Geef bibliotheken geld."], "De raad doet twee aanbevelingen:")
    second = _advice("tweede.txt", ["Investeer in kennis.", "Evalueer het beleid."], "De raad doet twee aanbevelingen:")
    third = _advice("derde.txt", ["Adopteer innovatie.", "Geef ruimte."], "De AWT doet twee aanbevelingen:")
    documents = (first, second, third)
    focus = DocumentFocus(documents, structure=StructureIndex([u for d in documents for u in d.units]))
    assert not focus.point("Welke aanbevelingen doet de raad?")
    assert focus.point("Welke aanbevelingen doet de raad over bibliotheken?").documents == {"eerste.txt"}
