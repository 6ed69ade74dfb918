"""The only hand-written word lists in the product: small closed classes of Dutch and English grammar.

Everything else the assistant knows about words comes from a library or a resource (stopwords of bm25s and
stopwords-iso, Snowball stemming, wordfreq's general-language frequencies) or from the documents themselves.
A test (``tests/unit/test_vocabulary.py``) checks that no other product word list holds a word that occurs in an
eval or training question but in neither the documents nor its resource.

Each class is closed: a grammar book lists all of it, and no question was needed to write it down.

>>> "welke" in QUESTION_WORDS, "jouw" in SECOND_PERSON
(True, True)
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.dutch import CARDINALS, ENGLISH_ORDINALS, ORDINALS, fold

# The word lists are not formatted: lines of words read better than one word per line.
# fmt: off
# Interrogatives (Dutch and English), including the pronominal adverbs built on "waar".
QUESTION_WORDS: frozenset[str] = frozenset(
    [
        "wat", "welk", "welke", "wie", "wiens", "wier", "waar", "waarom", "wanneer", "hoe", "hoeveel", "hoeverre",
        "hoezo", "waarmee", "waarover", "waarin", "waarvan", "waarvoor", "waaruit", "waarop", "waardoor", "waarbij",
        "waartoe", "waarnaar", "what", "which", "who", "whom", "whose", "where", "when", "why", "how", "many", "much",
    ]
)

# Personal, possessive and demonstrative pronouns and the pronominal adverbs that point back in a conversation.
FIRST_PERSON_POSSESSIVES: frozenset[str] = frozenset(["mijn", "mijne", "ons", "onze", "my", "mine", "our"])
FIRST_PERSON: frozenset[str] = FIRST_PERSON_POSSESSIVES | frozenset(["ik", "mij", "me", "wij", "we", "i", "we", "us"])
SECOND_PERSON: frozenset[str] = frozenset(["jij", "je", "jou", "jouw", "u", "uw", "jullie", "you", "your", "yours"])
THIRD_PERSON: frozenset[str] = frozenset(
    [
        "hij", "hem", "zijn", "zij", "ze", "haar", "hun", "hen", "het", "they", "them", "their", "it", "its", "he",
        "she", "him", "her",
    ]
)
DEMONSTRATIVES: frozenset[str] = frozenset(
    [
        "die", "dat", "deze", "dit", "daar", "hier", "zo'n", "zulke", "this", "that", "these", "those",
    ]
)
POINTING_ADVERBS: frozenset[str] = frozenset(
    [
        "daarvan", "hiervan", "ervan", "daarbij", "hierbij", "erbij", "daarover", "hierover", "erover", "daarin",
        "hierin", "erin", "daaronder", "daarmee", "hiermee", "ermee", "daarvoor", "hiervoor", "ervoor", "daarna",
        "daar", "hier",
    ]
)
PRONOUNS: frozenset[str] = FIRST_PERSON | SECOND_PERSON | THIRD_PERSON | DEMONSTRATIVES | POINTING_ADVERBS

# Numerals: cardinals and ordinals (the tables in knowledge.dutch) and quantity words.
NUMERALS: frozenset[str] = frozenset(fold(w) for w in (*CARDINALS, *ORDINALS, *ENGLISH_ORDINALS)) | frozenset(
    ["honderd", "duizend", "miljoen", "miljard", "hundred", "thousand", "million", "billion"]
)

# Modal verbs: after them a "je"/"u" asks the assistant to do something ("kun je …"), not what it thinks.
MODAL_VERBS: frozenset[str] = frozenset(
    [
        "kan", "kun", "kunt", "kunnen", "wil", "wilt", "willen", "zou", "zouden", "mag", "mogen", "moet", "moeten",
        "can", "could", "would", "will", "may",
    ]
)

# Deictic time adverbs: they ask about the present, which a dated document cannot know.
NOW_WORDS: frozenset[str] = frozenset(
    [
        "nu", "inmiddels", "tegenwoordig", "momenteel", "sindsdien", "heden", "thans", "vandaag", "now", "currently",
        "nowadays", "today",
    ]
)

# Causal connectives: a passage that explains why uses one.
CAUSAL_WORDS: frozenset[str] = frozenset(
    [
        "want", "omdat", "doordat", "daarom", "dus", "zodat", "aangezien", "vanwege", "waardoor", "because", "since",
        "therefore",
    ]
)

# Relative ordinals: the next and the previous one.
NEXT_WORDS: frozenset[str] = frozenset(["volgende", "daaropvolgende", "next", "following"])
PREVIOUS_WORDS: frozenset[str] = frozenset(["vorige", "voorgaande", "previous", "preceding"])

# Words that introduce a number ("aanbeveling nummer 2").
NUMBER_NOUNS: frozenset[str] = frozenset(["nummer", "nr", "no", "number"])

# Units and nouns of money.
MONEY_WORDS: frozenset[str] = frozenset(
    [
        "euro", "euros", "eur", "cent", "geld", "bedrag", "bedragen", "budget", "budgetten", "kosten", "kost", "prijs",
        "miljoen", "miljard", "money", "amount", "budget", "cost", "costs", "price", "funding", "dollar", "dollars",
    ]
)

# Units and nouns of time; months name a date.
MONTHS: frozenset[str] = frozenset(
    [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
        "december", "january", "february", "march", "may", "june", "july", "august", "october",
    ]
)
DAY_WORDS: frozenset[str] = frozenset(["dag", "datum", "day", "date"])
TIME_WORDS: frozenset[str] = DAY_WORDS | frozenset(
    ["jaar", "jaartal", "maand", "week", "uur", "tijdstip", "moment", "year", "month", "week", "hour"]
)

# Verbs of saying (verba dicendi) with their inflected forms: they frame what a text says, not what it is about.
SAYING_VERBS: frozenset[str] = frozenset(
    [
        "zeggen", "zegt", "zeg", "zei", "zeiden", "gezegd", "noemen", "noemt", "noem", "noemde", "noemden", "genoemd",
        "vertellen", "vertelt", "vertel", "vertelde", "verteld", "beschrijven", "beschrijft", "beschrijf", "beschreef",
        "beschreven", "uitleggen", "leg", "legt", "uitgelegd", "stellen", "stelt", "stelde", "gesteld", "schrijven",
        "schrijft", "schreef", "geschreven", "melden", "meldt", "vermelden", "vermeldt", "vermeld", "benadrukken",
        "benadrukt", "concluderen", "concludeert", "menen", "meent", "vinden", "vindt", "vind", "vond", "constateren",
        "constateert", "opmerken", "merkt", "verklaren", "verklaart", "aldus", "say", "says", "said", "tell", "tells",
        "told", "mention", "mentions", "mentioned", "describe", "describes", "described", "explain", "explains",
        "explained", "state", "states", "stated", "write", "writes", "wrote",
    ]
)
# fmt: on


def is_saying_verb(word: str) -> bool:
    """Whether a folded word is a form of a verb of saying."""
    return word in SAYING_VERBS


# fmt: off
# Nouns that name a text as an object ("volgens het advies", "in het rapport"): framing in a generated sentence.
# Not function words of a question, where "advies" may be what is asked about.
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    [
        "advies", "adviezen", "rapport", "rapporten", "tekst", "teksten", "document", "documenten", "stuk",
        "publicatie", "nota", "notitie", "advice", "report", "text", "document", "paper", "publication",
    ]
)
# fmt: on

# Coordinating conjunctions ("aanbeveling 1, 2 en 3").
CONJUNCTIONS: frozenset[str] = frozenset(["en", "of", "and", "or"])

# Particles of Dutch surnames (tussenvoegsels), for spotting a person's name ("R. van der Meer").
NAME_PARTICLES: tuple[str, ...] = ("van", "de", "der", "den", "ter", "ten")

# English names of the parts of a document, with the Dutch noun the loader uses in labels.
ENGLISH_NOUNS: dict[str, str] = {
    "recommendation": "aanbeveling",
    "recommendations": "aanbeveling",
    "step": "stap",
    "steps": "stap",
    "appendix": "bijlage",
    "appendices": "bijlage",
    "annex": "bijlage",
    "annexes": "bijlage",
    "chapter": "hoofdstuk",
    "chapters": "hoofdstuk",
}

# How a conversation continues: a turn that opens with a conjunction or points back with a pronominal adverb or a
# demonstrative with a part name.
FOLLOW_UP_START = re.compile(r"^\s*(?:en|ook|maar|and|also|what about|en wat|hoe zit het)\b", re.IGNORECASE)
POINTING_PATTERN = re.compile(
    r"\b(?:daarvan|hiervan|ervan|daarbij|hierbij|daarover|hierover|daarin|hierin|daaronder|dezelfde|"
    r"die aanbeveling|deze aanbeveling|die stap|deze stap|of it|of that|about that)\b",
    re.IGNORECASE,
)


# The vocabulary of instructing a chat system rather than asking it something (the generic prompt-injection forms
# of OWASP LLM01): override verbs with instruction nouns, role play, asking for the system prompt.
INSTRUCTION_PATTERN = re.compile(
    r"(?:negeer|vergeet|omzeil|ignore|disregard|forget|override)\b[^.?!\n]{0,60}?"
    r"\b(?:instructies?|regels?|opdracht(?:en)?|prompts?|instructions?|rules?|richtlijnen)\b"
    r"|\b(?:je bent nu|jij bent nu|je staat nu|vanaf nu|from now on|you are now|act as|doe alsof|speel de rol|"
    r"system ?prompt|systeemprompt|jailbreak|developer mode|ontwikkelaarsmodus)\b"
    r"|\b(?:toon|laat zien|print|reveal|show)\b[^.?!\n]{0,30}"
    r"\b(?:systeemprompt|system prompt|instructies|instructions|wachtwoord|password)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def closed_classes() -> dict[str, frozenset[str]]:
    """Every closed class by name (for documentation and the vocabulary test)."""
    return {
        "vraagwoorden": QUESTION_WORDS,
        "voornaamwoorden": PRONOUNS,
        "telwoorden": NUMERALS | NUMBER_NOUNS | NEXT_WORDS | PREVIOUS_WORDS,
        "geld": MONEY_WORDS,
        "tijd": TIME_WORDS | MONTHS,
        "werkwoorden van zeggen": SAYING_VERBS,
        "voegwoorden": CONJUNCTIONS | CAUSAL_WORDS,
        "modale werkwoorden": MODAL_VERBS,
        "bijwoorden van tijd": NOW_WORDS,
        "tussenvoegsels": frozenset(NAME_PARTICLES),
        "delen van een document (Engels)": frozenset(ENGLISH_NOUNS),
    }


def is_closed_class(word: str) -> bool:
    """Whether a folded word belongs to one of the closed classes or the conversation patterns above."""
    if word in DOCUMENT_NOUNS or any(word in words for words in closed_classes().values()):
        return True
    patterns = (INSTRUCTION_PATTERN, FOLLOW_UP_START, POINTING_PATTERN)
    return word in _PATTERN_WORDS or any(p.search(word) for p in patterns)


_PATTERN_WORDS: frozenset[str] = frozenset(
    w.lower()
    for p in (INSTRUCTION_PATTERN, FOLLOW_UP_START, POINTING_PATTERN)
    for w in re.findall(r"[^\W\d_]{3,}", p.pattern.replace("\\b", " "))
)
