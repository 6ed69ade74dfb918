"""Generated documents for the multi-document eval: a PDF advice and a Word note, loaded next to the AWT advice.

``write_library(folder)`` writes them; ``python -m evals run --profile library`` does so into the run's own
working folder, so nothing generated is committed and the shipped ``knowledge/`` is never touched.
"""

from evals.library.build import README_FILE, write_library

__all__ = ["README_FILE", "write_library"]
