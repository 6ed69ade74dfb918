"""The documents the assistant quotes, and the loaders that turn them into citable units.

>>> from knowledge import load_knowledge, DEFAULT_KNOWLEDGE_DIR
>>> kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
>>> [u.label for u in kb.units][:2]
['Inleiding', 'Wat is sociale innovatie?']
"""

from knowledge.loader import (
    DEFAULT_KNOWLEDGE_DIR,
    SUPPORTED_SUFFIXES,
    KnowledgeBase,
    KnowledgeError,
    load_document,
    load_knowledge,
)
from knowledge.units import Document, Unit

__all__ = [
    "KnowledgeBase",
    "KnowledgeError",
    "DEFAULT_KNOWLEDGE_DIR",
    "SUPPORTED_SUFFIXES",
    "Document",
    "Unit",
    "load_document",
    "load_knowledge",
]
