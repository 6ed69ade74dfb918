"""Turning units into something searchable: embeddings, the Chroma store, BM25, and hybrid search."""
