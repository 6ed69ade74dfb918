"""Building the assistant from the settings, and the one class that answers questions with it.

It satisfies :class:`assistant.protocol.Assistant`, the protocol every caller uses.

>>> bot = build_assistant(Settings())                                       # doctest: +SKIP
>>> answer = bot.ask("Met welke landen moet Nederland samenwerken?")        # doctest: +SKIP
>>> answer.citations[0].label                                               # doctest: +SKIP
'Aanbeveling 3, stap 6'

The index is rebuilt when its fingerprint changes: another embedding model, parser or document.

>>> from knowledge import DEFAULT_KNOWLEDGE_DIR
>>> knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
>>> e5 = fingerprint(knowledge, "e5")
>>> e5 == fingerprint(knowledge, "e5"), e5 == fingerprint(knowledge, "bge")
(True, False)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.answer import AnswerBackend, ExtractiveBackend
from assistant.contract import Answer, Message, join_notices
from assistant.decision import DecisionModel
from assistant.decision.signals import english_share
from assistant.focus import DocumentFocus, Focus, question_focus
from assistant.protocol import Question
from assistant.questions import (
    ResolvedQuestion,
    clean_question,
    resolve_question,
    selected_documents,
    strip_injection,
    valid_text,
)
from assistant.retrieval import Retrieval
from assistant.scope import several
from assistant.settings import ConfigurationError, Settings
from index.background import BackgroundStats, World, cached_stats, embed_queries, load_world
from index.embedder import load_embeddings_in_background
from index.lexical import LexicalIndex
from index.search import HybridSearch
from index.store import IndexUnavailable, VectorStore, open_store
from index.twins import Twins
from index.word_vectors import SharedWordVectors, WordVectors, load_word_vectors
from knowledge import (
    PARSER_VERSION,
    KnowledgeBase,
    knowledge_roots,
    load_knowledge,
)
from knowledge.cache import DocumentCache, KnowledgeSnapshots
from knowledge.word_frequency import use_cache_dir

log = logging.getLogger(__name__)

INJECTION_NOTICE = "Ik volg geen instructies die in een vraag staan; ik beantwoord alleen vragen over het advies."
CANDIDATES = 20  # ranked passages handed to the backend: the best few answer, the rest point the way on refusal
ENGLISH_NOTICE = "U stelde de vraag in het Engels; het antwoord is in het Nederlands, met citaten uit het advies."
# the same two notices when several documents are loaded (assistant.scope.several)
INJECTION_NOTICE_SEVERAL = INJECTION_NOTICE.replace("het advies", "de geladen documenten")
ENGLISH_NOTICE_SEVERAL = ENGLISH_NOTICE.replace("het advies", "de geladen documenten")


def fingerprint(knowledge: KnowledgeBase, embedding_id: str) -> str:
    """Changes whenever a knowledge file, the parser or the embedding model changes: then the index is rebuilt."""
    digest = hashlib.sha256(f"{PARSER_VERSION}|{embedding_id}".encode())
    for doc in sorted(knowledge.documents, key=lambda d: d.name):
        digest.update(f"|{doc.name}:{doc.sha256}".encode())
    return digest.hexdigest()


OUTDATED_NOTICE = (
    "Dit antwoord komt uit de vorige index: de laatste wijzigingen in de documenten zijn nog niet verwerkt."
)
INDEX_ID_CHARS = 12  # of the fingerprint, in answers and /api/health: enough to tell two indexes apart
ENGLISH_SHARE = 0.5  # at least half the words clearly English (wordfreq): answer in Dutch and say so


class Assistant:
    """Answers questions about the documents in the knowledge base, with verifiable citations.

    Built by :func:`build_assistant`; an :class:`assistant.protocol.Assistant`.

    Example:
        >>> bot = build_assistant(Settings())                                         # doctest: +SKIP
        >>> bot.ask("Wat is de derde aanbeveling?").citations[0].label                 # doctest: +SKIP
        'Aanbeveling 3'
    """

    def __init__(
        self,
        settings: Settings,
        knowledge: KnowledgeBase,
        search: HybridSearch,
        backend: AnswerBackend,
        background: BackgroundStats | None = None,
        world: World | None = None,
        *,
        word_vectors: WordVectors | None = None,
        index_id: str | None = None,
        outdated: bool = False,
        twins: Twins | None = None,
    ) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.search = search
        self.backend = backend
        self.background = background
        self.world = world
        self.word_vectors = word_vectors
        self.index_id = index_id
        self.outdated = outdated  # answers from an older index (and its documents) while a newer one is built
        self.focus = DocumentFocus(knowledge.documents, structure=search.structure)
        self.twins = twins if twins is not None else Twins()  # passages two documents share: cited once, "ook in …"

    def document_text(self, document: str) -> str:
        """The full text of a source document: every quote is a slice of it."""
        return self.knowledge.document(document).text

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        """Answer ``question`` in Dutch; raises :class:`InvalidQuestion` (Dutch message) for unusable input.

        ``documents`` restricts the answer to those loaded documents (names, file names or titles; empty: all);
        an unknown name raises :class:`~assistant.questions.UnknownDocument`.
        """
        text, retrieval = self.retrieve(question, history, documents)
        answer = self.backend.answer(text, retrieval)
        update: dict[str, Any] = {"question": text, "index": self.index_id[:INDEX_ID_CHARS] if self.index_id else None}
        if self.outdated:
            update["notice"] = join_notices(answer.notice, OUTDATED_NOTICE)
        return answer.model_copy(update=update)

    def retrieve(
        self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()
    ) -> tuple[str, Retrieval]:
        """The cleaned question and what search found for it (follow-ups and references resolved)."""
        # checked once, at the edge: a front end (API, chat, CLI) hands over a Question it checked before its
        # rate limit or model load; for a plain str (library callers, evals) this is the edge
        if isinstance(question, Question):
            text = str(question)
        else:
            text = clean_question(question, self.settings.max_question_chars)
        scope = selected_documents(self.knowledge, documents)
        turns = list(history)
        if self.settings.log_questions:
            log.info("Vraag: %s", text)
        searchable, injection = strip_injection(text)
        plural = several(self.knowledge.documents)
        notices = [INJECTION_NOTICE_SEVERAL if plural else INJECTION_NOTICE] if injection else []
        english = english_share(searchable) >= ENGLISH_SHARE if searchable else False
        if english:
            notices.append(ENGLISH_NOTICE_SEVERAL if plural else ENGLISH_NOTICE)
        resolved = resolve_question(searchable or text, turns, self.search.structure)
        focus = self._focus(searchable or text, turns, resolved) if not scope else Focus()
        result = self.search.search(
            resolved.search_text,
            k=CANDIDATES,
            references=resolved.references,
            documents=scope,
            focus=focus.documents,
        )
        retrieval = Retrieval(
            question=searchable,
            query=resolved.search_text,
            result=result,
            lexical=self.search.lexical,
            units_by_id=self.search.catalog,
            notices=notices,
            follow_up=resolved.follow_up,
            background=self.background,
            world=self.world,
            word_vectors=self.word_vectors,
            documents=self.knowledge.documents,
            scope=scope,
            focus=focus.documents,
            twins=self.twins,
        )
        return text, retrieval

    def _focus(self, question: str, turns: Sequence[Message], resolved: ResolvedQuestion) -> Focus:
        """The documents an unrestricted question points to, when that should steer its search (else none).

        It steers a question that names parts ("de tweede aanbeveling"), which every document may have, one that
        names a document, and a follow-up, which stays in its conversation's documents. A question about a topic
        alone is left to search, which ranks by the same words already.
        """
        if len(self.knowledge.documents) < 2:
            return Focus()
        earlier = [valid_text(m.content) for m in reversed(turns) if m.role == "user" and m.content.strip()]
        focus = question_focus(self.focus, question, earlier, resolved.follow_up, resolved.references)
        if not (resolved.references or focus.basis in ("naam", "gesprek")):
            return Focus()
        if focus:
            log.info("Documenten waar de vraag naar wijst (%s): %s", focus.basis, ", ".join(sorted(focus.documents)))
        return focus


def build_backend(settings: Settings) -> AnswerBackend:
    """The answer backend named by ``AWT_LLM``: ``extractief`` (default) or a generative one.

    The generative ones (``ollama``, ``openai``, ``llamacpp``; see :mod:`assistant.generative`) are imported only
    when chosen.
    """
    name = settings.llm.strip().lower()
    if name == "extractief":
        return ExtractiveBackend(DecisionModel.load(settings.decision_model), max_units=settings.top_k)
    from assistant.generative import GENERATIVE_BACKENDS, build_generative_backend

    if name in GENERATIVE_BACKENDS:
        return build_generative_backend(settings)
    raise ConfigurationError(
        f"Onbekende antwoordmotor '{settings.llm}' (AWT_LLM). "
        f"Beschikbaar: extractief, {', '.join(GENERATIVE_BACKENDS)}."
    )


def build_assistant(
    settings: Settings | None = None,
    *,
    embeddings: Embeddings | Future[Embeddings] | None = None,
    progress: Callable[[str], None] | None = None,
    progress_bar: Callable[[int, str], Any] | None = None,
    backend: AnswerBackend | None = None,
    outdated_ok: bool = False,
) -> Assistant:
    """Load the knowledge, make sure the index matches it, and wire search and answering together.

    ``embeddings`` and ``backend`` replace the ones the settings name (tests, calibration, a server reusing its
    own); ``embeddings`` may still be loading (:func:`index.embedder.load_embeddings_in_background`). Without
    them the model loads in a thread while the documents are read and Chroma is opened. With ``outdated_ok`` (a
    server starting after the documents changed) an older complete index is served, with the documents it was
    built from, instead of building first; the result is ``outdated``.
    """
    settings = settings or Settings()
    use_cache_dir(settings.models_dir / "wordfreq")  # built at the first question if missing, once per wordfreq
    embedding_config, store_config = settings.embedding_config(), settings.store_config()
    loading = embeddings if embeddings is not None else load_embeddings_in_background(embedding_config, progress)
    parsed = DocumentCache(settings.data_dir / "parsed", PARSER_VERSION)
    knowledge = load_knowledge(knowledge_roots(settings), cache=parsed)
    for problem in knowledge.problems:
        log.warning(problem)
    if not knowledge.documents:
        raise ConfigurationError(f"In de kennismap '{settings.knowledge_dir}' staan geen bruikbare documenten.")
    embeddings = loading.result() if isinstance(loading, Future) else loading
    store = open_store(store_config, embeddings)
    snapshots = KnowledgeSnapshots(settings.data_dir / "snapshots")
    index_id = fingerprint(knowledge, embedding_config.identity)
    older = _older_index(store, snapshots, index_id) if outdated_ok else None
    if older is None:
        store.ensure(knowledge.units, index_id, progress_bar)
        if store.fingerprint == index_id:
            snapshots.save(index_id, knowledge)
            if store.rebuilt:  # only a build changes which indexes exist
                snapshots.keep_only(store.complete_fingerprints())
        else:  # the build failed (disk full, …): the previous index stays in use, with its own documents
            older = _indexed_knowledge(snapshots, store.fingerprint or "")
    else:
        store.use(older[0])
        log.warning("De documenten zijn gewijzigd; tot de nieuwe index klaar is, antwoordt de vorige index.")
    if older is not None:
        index_id, knowledge = older
    units = knowledge.units
    lexical = LexicalIndex.cached([u.context_text() for u in units], settings.data_dir / "lexical")
    search = HybridSearch(units, store, embeddings, lexical=lexical)
    twins = Twins.cached(units, settings.data_dir / "twins")
    world = load_world(settings.models_dir / "background", embedding_config.identity, embeddings)
    world = world.without(search.lexical.surface_words())
    background = cached_stats(
        settings.data_dir / "background" / f"{index_id[:32]}-{len(world.words)}.json",
        lambda: world.stats(search.best_dense),
    )
    word_vectors = load_word_vectors(
        settings.data_dir / "background" / f"{index_id[:32]}-words.npz",
        (u.context_text() for u in units),
        partial(embed_queries, embeddings),
        SharedWordVectors.for_model(settings.models_dir / "word-vectors", embedding_config.identity, embeddings),
    )
    return Assistant(
        settings,
        knowledge,
        search,
        backend or build_backend(settings),
        background,
        world,
        word_vectors=word_vectors,
        index_id=index_id,
        outdated=older is not None,
        twins=twins,
    )


def _indexed_knowledge(snapshots: KnowledgeSnapshots, index_id: str) -> tuple[str, KnowledgeBase]:
    knowledge = snapshots.load(index_id)
    if knowledge is None:
        raise IndexUnavailable(
            "De index kon niet worden bijgewerkt en de documenten van de vorige index zijn niet bewaard. "
            "Zie de logregels hierboven, los het op (bijvoorbeeld schijfruimte) en start opnieuw."
        )
    return index_id, knowledge


def _older_index(store: VectorStore, snapshots: KnowledgeSnapshots, wanted: str) -> tuple[str, KnowledgeBase] | None:
    """The newest complete index and the knowledge it was built from, if there is no index for ``wanted`` yet."""
    if store.ready(wanted):
        return None
    for candidate in store.complete_fingerprints():
        knowledge = snapshots.load(candidate)
        if knowledge is not None:
            return candidate, knowledge
    return None
