"""The reason codes a decision gives, and the Dutch sentence a user sees for each."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why the assistant answers or refuses. The value travels in ``Answer.reason`` and in the log."""

    BEANTWOORD = "beantwoord"  # the passages answer the question
    ONZEKER = "onzeker"  # answered, but the evidence is moderate: the user is told so
    BUITEN_ONDERWERP = "buiten_onderwerp"  # the question is about something the documents do not cover
    NIET_IN_TEKST = "niet_in_tekst"  # on the documents' subject, but they do not say this
    VRAAGT_OM_BEDRAG = "vraagt_om_bedrag"  # asks for an amount; the passages name none
    VRAAGT_OM_PERSOON = "vraagt_om_persoon"  # asks for a person; the passages name none
    VRAAGT_OM_DATUM = "vraagt_om_datum"  # asks for a date or year the passages do not give
    VRAAGT_OM_AANTAL = "vraagt_om_aantal"  # asks how many of something the passages do not count
    VERWIJZING_BESTAAT_NIET = "verwijzing_bestaat_niet"  # names a part (bijlage 7) that does not exist
    GEEN_VRAAG = "geen_vraag"  # nothing left to answer once instructions are removed

    @property
    def answered(self) -> bool:
        """Whether a question with this reason gets an answer (possibly with a caveat) rather than a refusal."""
        return self in (Reason.BEANTWOORD, Reason.ONZEKER)


EXPLANATIONS: dict[Reason, str] = {
    Reason.ONZEKER: (
        "Ik weet niet zeker of het advies precies dit beantwoordt; dit zijn de passages die er het dichtst bij "
        "komen. Controleer ze zelf."
    ),
    Reason.BUITEN_ONDERWERP: "Deze vraag gaat over iets waar het advies niet over gaat.",
    Reason.NIET_IN_TEKST: "Het advies gaat wel over dit onderwerp, maar zegt hier niets over.",
    Reason.VRAAGT_OM_BEDRAG: "Het advies noemt geen bedragen.",
    Reason.VRAAGT_OM_PERSOON: "Het advies noemt geen namen van personen.",
    Reason.VRAAGT_OM_DATUM: "Het advies noemt die datum niet.",
    Reason.VRAAGT_OM_AANTAL: "Het advies noemt dat aantal niet.",
    Reason.VERWIJZING_BESTAAT_NIET: "Het deel waar u naar vraagt, bestaat niet in het advies.",
    Reason.GEEN_VRAAG: "Ik vond in uw bericht geen vraag over het advies.",
}

#: The same sentences when several documents are loaded: they speak of those, not of one advice.
EXPLANATIONS_SEVERAL: dict[Reason, str] = {
    Reason.ONZEKER: (
        "Ik weet niet zeker of de geladen documenten precies dit beantwoorden; dit zijn de passages die er het "
        "dichtst bij komen. Controleer ze zelf."
    ),
    Reason.BUITEN_ONDERWERP: "Deze vraag gaat over iets waar de geladen documenten niet over gaan.",
    Reason.NIET_IN_TEKST: "De geladen documenten gaan wel over dit onderwerp, maar zeggen hier niets over.",
    Reason.VRAAGT_OM_BEDRAG: "De geladen documenten noemen geen bedragen.",
    Reason.VRAAGT_OM_PERSOON: "De geladen documenten noemen geen namen van personen.",
    Reason.VRAAGT_OM_DATUM: "De geladen documenten noemen die datum niet.",
    Reason.VRAAGT_OM_AANTAL: "De geladen documenten noemen dat aantal niet.",
    Reason.VERWIJZING_BESTAAT_NIET: "Het deel waar u naar vraagt, bestaat niet in de geladen documenten.",
    Reason.GEEN_VRAAG: "Ik vond in uw bericht geen vraag over de geladen documenten.",
}


def explanation(reason: Reason, several: bool = False, subject: str = "") -> str:
    """The sentence a user sees for ``reason``; ``several`` when it was looked for in more than one document.

    ``subject`` names the one document instead of "het advies" (capitalised: "De notitie"), for a question
    restricted to one of several documents.

    >>> explanation(Reason.NIET_IN_TEKST)
    'Het advies gaat wel over dit onderwerp, maar zegt hier niets over.'
    >>> explanation(Reason.NIET_IN_TEKST, several=True)
    'De geladen documenten gaan wel over dit onderwerp, maar zeggen hier niets over.'
    >>> explanation(Reason.GEEN_VRAAG, subject="De notitie")
    'Ik vond in uw bericht geen vraag over de notitie.'
    """
    if several:
        return EXPLANATIONS_SEVERAL[reason]
    sentence = EXPLANATIONS[reason]
    if subject:
        sentence = sentence.replace("Het advies", subject).replace("het advies", subject[:1].lower() + subject[1:])
    return sentence
