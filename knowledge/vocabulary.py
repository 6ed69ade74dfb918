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

from functools import lru_cache

from knowledge.dutch import CARDINALS, ENGLISH_ORDINALS, ORDINALS, fold

# Interrogatives (Dutch and English), including the pronominal adverbs built on "waar".
QUESTION_WORDS: frozenset[str] = frozenset(
    "wat welk welke wie wiens wier waar waarom wanneer hoe hoeveel hoeverre hoezo waarmee waarover waarin "
    "waarvan waarvoor waaruit waarop waardoor waarbij waartoe waarnaar "
    "what which who whom whose where when why how".split()
)

# Personal, possessive and demonstrative pronouns and the pronominal adverbs that point back in a conversation.
FIRST_PERSON: frozenset[str] = frozenset("ik mij me mijn mijne wij we ons onze i my mine we us our".split())
SECOND_PERSON: frozenset[str] = frozenset("jij je jou jouw u uw jullie you your yours".split())
THIRD_PERSON: frozenset[str] = frozenset(
    "hij hem zijn zij ze haar hun hen het they them their it its he she him her".split()
)
DEMONSTRATIVES: frozenset[str] = frozenset("die dat deze dit daar hier zo'n zulke this that these those".split())
POINTING_ADVERBS: frozenset[str] = frozenset(
    "daarvan hiervan ervan daarbij hierbij erbij daarover hierover erover daarin hierin erin daaronder "
    "daarmee hiermee ermee daarvoor hiervoor ervoor daarna daar hier".split()
)
PRONOUNS: frozenset[str] = FIRST_PERSON | SECOND_PERSON | THIRD_PERSON | DEMONSTRATIVES | POINTING_ADVERBS

# Numerals: cardinals and ordinals (the tables in knowledge.dutch) and quantity words.
NUMERALS: frozenset[str] = frozenset(fold(w) for w in (*CARDINALS, *ORDINALS, *ENGLISH_ORDINALS)) | frozenset(
    "honderd duizend miljoen miljard hundred thousand million billion".split()
)

# Units and nouns of money.
MONEY_WORDS: frozenset[str] = frozenset(
    "euro euros eur cent geld bedrag bedragen budget budgetten kosten kost prijs miljoen miljard "
    "money amount budget cost costs price funding dollar dollars".split()
)

# Units and nouns of time; months name a date.
MONTHS: frozenset[str] = frozenset(
    "januari februari maart april mei juni juli augustus september oktober november december "
    "january february march may june july august october".split()
)
DAY_WORDS: frozenset[str] = frozenset("dag datum day date".split())
TIME_WORDS: frozenset[str] = DAY_WORDS | frozenset(
    "jaar jaartal maand week uur tijdstip moment year month week hour".split()
)

# Verbs of saying (verba dicendi) with their inflected forms: they frame what a text says, not what it is about.
SAYING_VERBS: frozenset[str] = frozenset(
    "zeggen zegt zeg zei zeiden gezegd noemen noemt noem noemde noemden genoemd vertellen vertelt vertel "
    "vertelde verteld beschrijven beschrijft beschrijf beschreef beschreven uitleggen leg legt uitgelegd "
    "stellen stelt stelde gesteld schrijven schrijft schreef geschreven melden meldt vermelden vermeldt "
    "vermeld benadrukken benadrukt concluderen concludeert menen meent vinden vindt vind vond "
    "constateren constateert opmerken merkt verklaren verklaart aldus "
    "say says said tell tells told mention mentions mentioned describe describes described explain explains "
    "explained state states stated write writes wrote".split()
)


def is_saying_verb(word: str) -> bool:
    """Whether a folded word is a form of a verb of saying."""
    return word in SAYING_VERBS


@lru_cache(maxsize=1)
def closed_classes() -> dict[str, frozenset[str]]:
    """Every closed class by name (for documentation and the vocabulary test)."""
    return {
        "vraagwoorden": QUESTION_WORDS,
        "voornaamwoorden": PRONOUNS,
        "telwoorden": NUMERALS,
        "geld": MONEY_WORDS,
        "tijd": TIME_WORDS | MONTHS,
        "werkwoorden van zeggen": SAYING_VERBS,
    }


def is_closed_class(word: str) -> bool:
    """Whether a folded word belongs to one of the closed classes."""
    return any(word in words for words in closed_classes().values())
