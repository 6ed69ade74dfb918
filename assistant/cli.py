"""The one command-line entry point: ``python -m assistant`` (or ``awt-assistent``) and its commands.

The commands are ``index``, ``documents``, ``ask``, ``serve``, ``feedback-export`` and ``bench``::

    python -m assistant ask "Met welke landen moet Nederland samenwerken?"
    python -m assistant ask --json --history gesprek.json "En de vijfde stap daarvan?"
    python -m assistant ask --document inclusie "Wat is de tweede aanbeveling?"
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from assistant.plugins import PluginGroup  # e.g. `bench`, registered by the benchmarks package
from assistant.privacy import apply_offline_defaults

if TYPE_CHECKING:
    from assistant.contract import Message
    from assistant.protocol import Assistant
    from assistant.settings import Settings
    from knowledge import LoadedDocument

apply_offline_defaults()

EXIT_BAD_INPUT = 2


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Fout: {message}", err=True)
    sys.exit(code)


def _progress_bar(total: int, description: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="passage", file=sys.stderr, disable=total < 200)


def _status(message: str) -> None:
    click.echo(message, err=True)


def _build() -> Assistant:
    """Build the assistant, turning every known failure into a Dutch message instead of a traceback."""
    from pydantic import ValidationError

    from assistant.settings import ConfigurationError, Settings, invalid_setting
    from index.embedder import load_embeddings_in_background

    try:
        settings = Settings()
    except ValidationError as exc:
        _fail(invalid_setting(exc))
    # started before the assistant's own modules are imported: the model loads while they are (~1 s of a cold ask)
    embeddings = load_embeddings_in_background(settings.embedding_config(), _status)
    from assistant.service import build_assistant
    from index.store import IndexUnavailable

    try:
        return build_assistant(settings, embeddings=embeddings, progress=_status, progress_bar=_progress_bar)
    except ValidationError as exc:
        _fail(invalid_setting(exc))
    except (ConfigurationError, IndexUnavailable) as exc:
        _fail(str(exc))


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Toon logregels (ook technische).")
def main(verbose: bool) -> None:
    """AWT-assistent: vragen over het AWT-advies ‘De kracht van sociale innovatie’ (2014), met bronvermelding."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not verbose:
        for noisy in ("chromadb", "httpx", "sentence_transformers", "transformers", "bm25s", "pypdf"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PAD]...")
def index_command(paths: tuple[Path, ...]) -> None:
    """Bouw of ververs de index van de kennismap; met PAD… worden die documenten eerst toegevoegd.

    Ondersteund: PDF, Word (.docx), HTML, Markdown en platte tekst. Elk bestand wordt eerst gelezen en pas
    daarna naar de kennismap gekopieerd; een bestand dat niet te lezen is, wordt niet toegevoegd
    (afsluitcode 2), de andere wel.
    """
    from pydantic import ValidationError

    from assistant.settings import Settings, invalid_setting
    from knowledge import KnowledgeError, add_document

    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged PDFs get our own Dutch message
    failed = 0
    try:
        settings = Settings()
    except ValidationError as exc:
        _fail(invalid_setting(exc))
    for path in paths:
        try:
            added = add_document(path, settings)
        except KnowledgeError as exc:
            failed += 1
            click.echo(f"Fout: {exc}", err=True)
            continue
        pages = max((u.page for u in added.document.units if u.page is not None), default=None)
        extent = f"{len(added.document.units)} passages" + (f", {pages} pagina's" if pages else "")
        click.echo(f"{added.status.capitalize()}: {path.name} ({extent}) → {added.path}")
    if paths and failed == len(paths):
        sys.exit(EXIT_BAD_INPUT)  # nothing changed: the index stays as it is
    bot = _build()
    from knowledge.word_frequency import prepare

    prepare()  # the word frequency cache belongs in the model folder too (a read-only one is filled this way)
    problems = bot.knowledge.problems
    for problem in problems:
        click.echo(f"Let op: {problem}", err=True)
    click.echo(f"Index klaar: {len(bot.knowledge.documents)} document(en), {len(bot.knowledge.units)} passages.")
    if failed:
        sys.exit(EXIT_BAD_INPUT)


def _settings() -> Settings:
    from pydantic import ValidationError

    from assistant.settings import Settings, invalid_setting

    try:
        return Settings()
    except ValidationError as exc:
        _fail(invalid_setting(exc))


def _loaded_documents(settings: Settings) -> list[LoadedDocument]:
    from knowledge import PARSER_VERSION, knowledge_roots, list_documents, load_knowledge
    from knowledge.cache import DocumentCache

    parsed = DocumentCache(settings.data_dir / "parsed", PARSER_VERSION)
    knowledge = load_knowledge(knowledge_roots(settings), cache=parsed)
    for problem in knowledge.problems:
        click.echo(f"Let op: {problem}", err=True)
    return list_documents(settings, knowledge)


@main.group("documents", invoke_without_command=True)
@click.pass_context
def documents_command(context: click.Context) -> None:
    """Toon de geladen documenten: titel, bestand, passages, pagina's en wanneer toegevoegd."""
    if context.invoked_subcommand is not None:
        return
    documents = _loaded_documents(_settings())
    if not documents:
        click.echo("Er zijn geen documenten geladen.")
        return
    for loaded in documents:
        pages = f", {loaded.pages} pagina's" if loaded.pages else ""
        origin = "toegevoegd" if loaded.removable else "meegeleverd"
        cited = ", ".join(p for p in (loaded.document.short_name, loaded.document.date) if p)
        click.echo(loaded.title + (f" ({cited})" if cited else ""))
        click.echo(f"  bestand: {loaded.path}")
        click.echo(f"  {len(loaded.document.units)} passages{pages}; {origin} {loaded.added:%Y-%m-%d %H:%M}")


@documents_command.command("remove")
@click.argument("name", metavar="NAAM")
def remove_command(name: str) -> None:
    """Verwijder een toegevoegd document (NAAM: de bestandsnaam, met of zonder extensie) en bouw de index opnieuw."""
    from knowledge import KnowledgeBase, KnowledgeError, remove_document

    settings = _settings()
    loaded = KnowledgeBase(tuple(d.document for d in _loaded_documents(settings)))
    try:
        removed = remove_document(name, settings, loaded)
    except KnowledgeError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    click.echo(f"Verwijderd: {removed.name} ({removed.title}) uit {removed.path.parent}")
    bot = _build()
    click.echo(f"Index klaar: {len(bot.knowledge.documents)} document(en), {len(bot.knowledge.units)} passages.")


def _read_history(path: Path | None) -> list[Message]:
    from pydantic import TypeAdapter, ValidationError

    from assistant.contract import Message

    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(list[Message]).validate_python(raw)
    except OSError as exc:
        _fail(f"het gespreksbestand '{path}' kan niet worden gelezen ({exc.strerror}).", EXIT_BAD_INPUT)
    except (ValueError, ValidationError):
        _fail(
            f"het gespreksbestand '{path}' is geen geldige lijst van "
            '{"role": "user"|"assistant", "content": "..."}.',
            EXIT_BAD_INPUT,
        )


def _chosen_documents(settings: Settings, names: tuple[str, ...]) -> list[str]:
    """The documents ``--document`` names, checked before the model loads (loading the documents alone is cheap)."""
    from assistant.questions import UnknownDocument, selected_documents
    from knowledge import PARSER_VERSION, knowledge_roots, load_knowledge
    from knowledge.cache import DocumentCache

    if not names:
        return []
    knowledge = load_knowledge(
        knowledge_roots(settings), cache=DocumentCache(settings.data_dir / "parsed", PARSER_VERSION)
    )
    try:
        return sorted(selected_documents(knowledge, names))
    except UnknownDocument as exc:
        _fail(str(exc), EXIT_BAD_INPUT)


@main.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print één JSON-object (het API-contract).")
@click.option("--history", type=click.Path(path_type=Path), help="JSON-bestand met het gesprek tot nu toe.")
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="NAAM",
    help="Antwoord alleen uit dit document (bestandsnaam, met of zonder extensie, of titel; zie `documents`). "
    "Mag vaker.",
)
def ask_command(question: str, as_json: bool, history: Path | None, documents: tuple[str, ...]) -> None:
    """Stel één vraag over het advies (of, met --document, over de gekozen documenten)."""
    from assistant.protocol import checked_question
    from assistant.questions import InvalidQuestion

    settings = _settings()
    turns = _read_history(history)
    try:  # the edge: checked here, before the model loads, and not again by the assistant
        text = checked_question(question, settings.max_question_chars)
    except InvalidQuestion as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    chosen = _chosen_documents(settings, documents)
    answer = _build().ask(text, history=turns, documents=chosen)
    if as_json:
        click.echo(json.dumps(answer.model_dump(), ensure_ascii=False))
        return
    if answer.notice:
        click.echo(f"({answer.notice})\n")
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nBronnen:")
        for citation in answer.citations:
            click.echo(f"[{citation.n}] {citation.label} — {citation.document}")
            for other in citation.also_in:
                click.echo(f"    ook in: {other.label} — {other.document}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=7860, show_default=True, type=int, help="Poort.")
def serve_command(host: str, port: int) -> None:
    """Start de chat-website en de JSON-API."""
    from assistant.web import serve

    serve(host=host, port=port)


@main.command("feedback-export")
@click.option("--output", type=click.Path(path_type=Path), help="JSONL-bestand (standaard: naar het scherm).")
def feedback_export_command(output: Path | None) -> None:
    """Zet opgeslagen duim-omhoog/omlaag-feedback om in eval-items (evals-formaat, JSONL)."""
    from assistant.settings import Settings
    from assistant.web import export_feedback

    database = Settings().data_dir / "feedback.sqlite3"
    if not database.exists():
        _fail(f"er is nog geen feedback opgeslagen ({database} bestaat niet; zet AWT_FEEDBACK=true).")
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in export_feedback(database))
    if output is None:
        click.echo(lines, nl=False)
    else:
        output.write_text(lines, encoding="utf-8")
        click.echo(f"{lines.count(chr(10))} item(s) geschreven naar {output}.", err=True)


def run() -> None:
    """Console-script entry: a last guard so that a user never sees a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("afgebroken.", 130)
    except Exception as exc:  # noqa: BLE001 - the message below replaces the traceback on purpose
        logging.getLogger(__name__).debug("onverwachte fout", exc_info=True)
        _fail(f"er ging iets onverwacht mis ({type(exc).__name__}). Probeer het opnieuw met -v voor details.")
