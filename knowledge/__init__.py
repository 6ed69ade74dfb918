"""The documents the assistant quotes, and the loaders that turn them into citable units.

The names below are the package's public interface; code outside ``knowledge`` imports them from here.

>>> from knowledge import load_knowledge, DEFAULT_KNOWLEDGE_DIR
>>> kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
>>> [u.label for u in kb.units][:2]
['Inleiding', 'Wat is sociale innovatie?']
"""

from knowledge.adding import Added, add_document
from knowledge.citation import citation_label, document_titles, marker_numbers
from knowledge.folders import DEFAULT_KNOWLEDGE_DIR, added_knowledge_dir, knowledge_roots
from knowledge.formats import KnowledgeError
from knowledge.formats.registry import SUPPORTED_SUFFIXES
from knowledge.library import LoadedDocument, find_document, list_documents, remove_document
from knowledge.loader import knowledge_files, load_document, load_knowledge
from knowledge.parser import PARSER_VERSION, parse_text
from knowledge.units import Document, KnowledgeBase, Unit

__all__ = [
    "DEFAULT_KNOWLEDGE_DIR",
    "PARSER_VERSION",
    "SUPPORTED_SUFFIXES",
    "Added",
    "Document",
    "KnowledgeBase",
    "KnowledgeError",
    "LoadedDocument",
    "Unit",
    "add_document",
    "added_knowledge_dir",
    "citation_label",
    "document_titles",
    "find_document",
    "knowledge_files",
    "knowledge_roots",
    "list_documents",
    "load_document",
    "load_knowledge",
    "marker_numbers",
    "parse_text",
    "remove_document",
]
