"""Write the library documents: the PDF advice, the Word note, their metadata files and the note on their origin.

Deterministic (fixed creation dates and zip timestamps, no randomness): two runs write the same text, and the same
bytes with the same library versions. fpdf2 is needed for the PDF (the ``test`` extra, as for the tests' PDFs).

Example::

    >>> import tempfile
    >>> [path.name for path in write_library(Path(tempfile.mkdtemp()))]  # doctest: +NORMALIZE_WHITESPACE
    ['_LEESMIJ.md', 'awk-advies-12-drinkwater.pdf', 'awk-advies-12-drinkwater.pdf.meta.json',
     'psf-notitie-fietsparkeren.docx', 'psf-notitie-fietsparkeren.docx.meta.json']
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from evals.library.content import (
    BIKE_FILE,
    BIKE_META,
    BIKE_PARAGRAPHS,
    README,
    WATER_FILE,
    WATER_META,
    WATER_PAGES,
    WATER_RUNNING_HEADER,
    WATER_TITLE,
)

README_FILE = "_LEESMIJ.md"  # a leading underscore: the loader skips it
_FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def write_water_pdf(path: Path) -> Path:
    """The AWK advice as a five-page PDF with a running header and page numbers, as real reports have."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 5, WATER_RUNNING_HEADER, align="R", new_x="LMARGIN", new_y="NEXT")
                self.ln(6)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Report()
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(WATER_TITLE)
    pdf.set_author("Adviesraad voor Water en Klimaat")
    pdf.set_auto_page_break(True, margin=20)
    for blocks in WATER_PAGES:
        pdf.add_page()
        for block in blocks:
            if block.kind == "title":
                pdf.ln(50)
                pdf.set_font("Helvetica", "B", 24)
                pdf.multi_cell(0, 12, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(8)
            elif block.kind == "heading":
                pdf.set_font("Helvetica", "B", 16)
                pdf.multi_cell(0, 9, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
            elif block.kind == "item":
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(0, 6, f"{block.number}. {block.text}", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            else:
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(5)
    path.write_bytes(bytes(pdf.output()))
    return path


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps and entry order, so that the bytes do not depend on the clock."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()


def write_bike_docx(path: Path) -> Path:
    """The PSF note as a Word document: title, Heading 1 sections, numbered lists (one nested)."""
    import docx

    document = docx.Document()
    properties = document.core_properties
    properties.title = BIKE_PARAGRAPHS[0].text
    properties.author = "Platform Stations en Fiets"
    properties.created = properties.modified = _FIXED_DATE.replace(tzinfo=None)
    properties.last_modified_by = "Platform Stations en Fiets"
    properties.revision = 1
    numbering = document.part.numbering_part.element
    list_style = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(list_style).abstractNumId.val
    num_id, previous = list_style, ""
    for paragraph in BIKE_PARAGRAPHS:
        if paragraph.style == "Title":
            document.add_heading(paragraph.text, 0)
        elif paragraph.style == "Heading 1":
            document.add_heading(paragraph.text, 1)
        else:
            added = document.add_paragraph(paragraph.text, style=paragraph.style)
            if paragraph.style == "List Number":
                if not previous.startswith("List Number"):
                    # a new list starts at 1, as Word's "Restart at 1" does: a numbering instance of its own
                    num = numbering.add_num(abstract)
                    num.add_lvlOverride(ilvl=0).add_startOverride(1)
                    num_id = num.numId
                paragraph_properties: Any = added._p.get_or_add_pPr()  # numPr is generated at runtime, untyped
                numbers = paragraph_properties.get_or_add_numPr()
                numbers.get_or_add_ilvl().val = 0
                numbers.get_or_add_numId().val = num_id
        previous = paragraph.style
    buffer = BytesIO()
    document.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))
    return path


def _write_meta(document: Path, meta: dict[str, object]) -> Path:
    path = document.with_name(document.name + ".meta.json")
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_library(folder: Path) -> list[Path]:
    """Write both documents, their ``.meta.json`` files and ``_LEESMIJ.md`` into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    water = write_water_pdf(folder / WATER_FILE)
    bike = write_bike_docx(folder / BIKE_FILE)
    readme = folder / README_FILE
    readme.write_text(README, encoding="utf-8")
    return [readme, water, _write_meta(water, WATER_META), bike, _write_meta(bike, BIKE_META)]
