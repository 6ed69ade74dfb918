"""The text of the generated library documents: two fictional Dutch advices, written as ground truth.

Both share label nouns with the shipped AWT advice (``Aanbeveling``, ``stap``, ``Bijlage``), so that a structural
reference such as "de tweede aanbeveling" fits every document and only its scope ("over drinkwater", "in de
notitie over fietsparkeren") tells them apart. Changing a word here changes the ground truth of
``evals/gold-library.jsonl`` and of the blind set written against these texts: do not.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- A: a PDF advice of a fictional council (title page, numbered recommendations, two appendices) ---------------

WATER_FILE = "awk-advies-12-drinkwater.pdf"
WATER_TITLE = "Zuinig met zoet water"
WATER_RUNNING_HEADER = "AWK advies 12 - Zuinig met zoet water"
WATER_META: dict[str, object] = {
    "kind": "het advies",
    "short_name": "AWK",
    "date": "2022",
    "author": "de Adviesraad voor Water en Klimaat",
    "reference": "advies 12",
    "examples": [
        "Wat is de tweede aanbeveling over drinkwater?",
        "Hoeveel drinkwater gebruikt een Nederlander per dag?",
    ],
}


@dataclass(frozen=True)
class Block:
    """One block of a generated page: a heading, a paragraph or a numbered item."""

    kind: str  # "title", "heading", "paragraph", "item"
    text: str
    number: int = 0


#: The pages of the PDF, in order. Text is Latin-1 only (the PDF's core font has no other glyphs).
WATER_PAGES: tuple[tuple[Block, ...], ...] = (
    (
        Block("title", WATER_TITLE),
        Block(
            "paragraph",
            "Advies over de drinkwatervoorziening tot 2040, uitgebracht door de Adviesraad voor Water en Klimaat "
            "(AWK) aan de minister van Infrastructuur en Waterstaat, maart 2022.",
        ),
    ),
    (
        Block("heading", "Samenvatting"),
        Block(
            "paragraph",
            "Nederland haalt zijn drinkwater voor ongeveer 60 procent uit grondwater en voor 40 procent uit "
            "oppervlaktewater, vooral uit de Rijn en de Maas. Door de groei van de bevolking, drogere zomers en "
            "verzilting van rivierwater dreigt in delen van het land rond 2030 een tekort aan drinkwater. Het "
            "probleem is het grootst in de provincies Gelderland, Overijssel en Noord-Brabant.",
        ),
        Block(
            "paragraph",
            "De raad concludeert dat het huidige beleid niet genoeg is om ook in 2040 iedereen van voldoende en "
            "betaalbaar drinkwater te voorzien. Er is zowel minder gebruik als betere bescherming van de bronnen "
            "nodig, en de wet moet duidelijk maken wie bij schaarste voorgaat.",
        ),
        Block("heading", "Aanleiding"),
        Block(
            "paragraph",
            "In de droge zomers van 2018 en 2020 vroegen drinkwaterbedrijven hun klanten om zuinig te zijn met "
            "water, en in enkele gemeenten konden nieuwe woonwijken tijdelijk niet worden aangesloten. De minister "
            "van Infrastructuur en Waterstaat vroeg de raad daarop: 'Hoe kan Nederland ook in 2040 iedereen "
            "voorzien van voldoende en betaalbaar drinkwater?'",
        ),
    ),
    (
        Block("heading", "Aanbevelingen"),
        Block("paragraph", "De raad doet drie aanbevelingen aan de minister:"),
        Block(
            "item",
            "Verlaag het drinkwatergebruik per persoon van gemiddeld 129 liter naar 100 liter per dag in 2035, met "
            "waterbesparende kranen, douches en toiletten in alle nieuwbouw en met een landelijke campagne.",
            1,
        ),
        Block(
            "item",
            "Bescherm de bronnen van drinkwater: wijs rond elke waterwinning een beschermingsgebied aan waarin geen "
            "nieuwe bedrijventerreinen komen en geen bestrijdingsmiddelen worden gebruikt.",
            2,
        ),
    ),
    (
        Block(
            "item",
            "Geef drinkwater voorrang bij de verdeling van schaars zoet water en leg in de wet vast dat "
            "drinkwaterbedrijven bij droogte als eerste water mogen innemen, nog voor landbouw en industrie.",
            3,
        ),
        Block(
            "paragraph",
            "De raad vraagt de minister om binnen een jaar samen met de provincies, de waterschappen en de "
            "drinkwaterbedrijven een uitvoeringsagenda op te stellen. De raad schat de kosten van de drie "
            "aanbevelingen samen op 1,2 miljard euro tot 2040, te betalen uit de drinkwatertarieven en het "
            "Deltafonds.",
        ),
    ),
    (
        Block("heading", "Bijlage 1: Werkwijze"),
        Block(
            "paragraph",
            "De raad sprak voor dit advies met de tien drinkwaterbedrijven, de twaalf provincies, de Unie van "
            "Waterschappen en LTO Nederland. De voorbereidende commissie stond onder leiding van ir. M. Bakker.",
        ),
        Block("heading", "Bijlage 2: Cijfers"),
        Block(
            "paragraph",
            "In 2021 gebruikte een Nederlander thuis gemiddeld 129 liter drinkwater per dag, waarvan ongeveer 50 "
            "liter onder de douche. De drinkwaterbedrijven leverden samen 1,3 miljard kubieke meter water. Zonder "
            "nieuwe maatregelen stijgt de vraag naar drinkwater volgens de raad tot 2040 met 15 procent.",
        ),
    ),
)

# --- B: a DOCX note of another shape (a plan in steps, measures, two recommendations with steps, appendices) -----

BIKE_FILE = "psf-notitie-fietsparkeren.docx"
BIKE_TITLE = "Stappenplan fietsparkeren bij stations"
BIKE_META: dict[str, object] = {
    "kind": "de notitie",
    "short_name": "PSF",
    "date": "2023",
    "author": "de werkgroep fietsparkeren van het Platform Stations en Fiets",
    "examples": [
        "Wat is de eerste stap van het stappenplan fietsparkeren?",
        "Welke maatregelen noemt de werkgroep bij drukte?",
    ],
}


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the generated Word note, with its Word style."""

    style: str  # "Title", "Heading 1", "Normal", "List Number", "List Number 2"
    text: str


BIKE_PARAGRAPHS: tuple[Paragraph, ...] = (
    Paragraph("Title", BIKE_TITLE),
    Paragraph(
        "Normal",
        "Notitie van de werkgroep fietsparkeren van het Platform Stations en Fiets (PSF) voor gemeenten met een "
        "treinstation, juni 2023.",
    ),
    Paragraph("Heading 1", "Samenvatting"),
    Paragraph(
        "Normal",
        "Bij veel stations staan te weinig fietsenrekken, terwijl in de stallingen plaatsen leeg blijven. Deze "
        "notitie geeft gemeenten een stappenplan om het fietsparkeren bij hun station in vijf stappen op orde te "
        "brengen, noemt maatregelen voor drukke dagen en doet twee aanbevelingen aan het Rijk.",
    ),
    Paragraph("Heading 1", "Het probleem"),
    Paragraph(
        "Normal",
        "Ruim 40 procent van de treinreizigers komt met de fiets naar het station. Op de drukste stations staan "
        "dagelijks honderden fietsen buiten de rekken, op stoepen en in looproutes, wat hinderlijk en onveilig is "
        "voor voetgangers en mensen met een rolstoel. Tegelijk staat in sommige bewaakte stallingen een kwart van "
        "de plaatsen leeg, omdat reizigers de stalling niet kennen of de ingang te ver van het perron ligt.",
    ),
    Paragraph("Heading 1", "Stappenplan"),
    Paragraph("Normal", "De werkgroep raadt gemeenten aan de volgende vijf stappen te zetten:"),
    Paragraph(
        "List Number",
        "Tel twee keer per jaar, op een dinsdag in het voorjaar en in het najaar, hoeveel fietsen er in en buiten "
        "de rekken staan.",
    ),
    Paragraph(
        "List Number",
        "Stel samen met de vervoerder en de beheerder van het station vast hoeveel plaatsen er over tien jaar nodig "
        "zijn.",
    ),
    Paragraph(
        "List Number",
        "Kies de plek van nieuwe stallingen zo dat reizigers binnen drie minuten lopen op het perron staan.",
    ),
    Paragraph(
        "List Number",
        "Maak de eerste 24 uur stallen gratis en wijs de weg met borden die de vrije plaatsen tonen.",
    ),
    Paragraph(
        "List Number",
        "Verwijder fietsen die langer dan 28 dagen in een stalling staan en breng ze naar een fietsdepot.",
    ),
    Paragraph("Heading 1", "Maatregelen bij drukte"),
    Paragraph("Normal", "Op drukke dagen noemt de werkgroep drie maatregelen:"),
    Paragraph(
        "List Number",
        "Zet bij evenementen tijdelijke rekken neer op vaste, vooraf aangewezen plekken.",
    ),
    Paragraph("List Number", "Zet fietsstewards in die reizigers naar de vrije plaatsen verwijzen."),
    Paragraph(
        "List Number",
        "Laat de ingangen van de stallingen in de spits alleen open voor binnenkomende fietsen.",
    ),
    Paragraph("Heading 1", "Aanbevelingen aan het Rijk"),
    Paragraph(
        "Normal", "De werkgroep doet twee aanbevelingen aan de staatssecretaris van Infrastructuur en Waterstaat:"
    ),
    Paragraph(
        "List Number",
        "Maak de regeling die de bouw van stallingen voor de helft betaalt ook na 2025 beschikbaar.",
    ),
    Paragraph(
        "List Number",
        "Zorg voor één landelijke fietspas waarmee reizigers in elke bewaakte stalling kunnen parkeren; de "
        "werkgroep noemt twee stappen:",
    ),
    Paragraph("List Number 2", "Laat de OV-chipkaart gelden als fietspas in alle stallingen."),
    Paragraph("List Number 2", "Breng de tarieven van de stallingen in één overzicht samen."),
    Paragraph("Heading 1", "Bijlage 1: Begrippen"),
    Paragraph(
        "Normal",
        "Een bewaakte stalling is een stalling met toezicht door een medewerker of met camera's en toegang met een "
        "pas. Een fietsdepot is de plek waar de gemeente verwijderde fietsen bewaart; eigenaren kunnen hun fiets "
        "daar binnen zes weken ophalen.",
    ),
    Paragraph("Heading 1", "Bijlage 2: Tellingen"),
    Paragraph(
        "Normal",
        "Bij de tellingen van 2022 op twintig stations stonden gemiddeld 14 procent van de fietsen buiten de "
        "rekken. Op het drukste station waren dat er op een dinsdagochtend 1.900. In de bewaakte stallingen was "
        "gemiddeld 23 procent van de plaatsen vrij.",
    ),
)

#: The note the loader skips (a leading underscore): these documents are made up.
README = (
    "Dit zijn fictieve testdocumenten, gegenereerd door evals/library voor de evaluatie met meerdere documenten "
    "(evals/gold-library.jsonl).\n"
    f"Het advies ‘{WATER_TITLE}’ van de ‘Adviesraad voor Water en Klimaat’ en de notitie ‘{BIKE_TITLE}’ van het "
    "‘Platform Stations en Fiets’ bestaan niet; raden, personen en cijfers zijn verzonnen.\n"
    "Gebruik ze alleen om te testen hoe de assistent met meerdere documenten werkt, niet als echte beleidsbron.\n"
)
