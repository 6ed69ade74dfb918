"""Load tests of the web API (``python -m tests.load.loadtest``)."""
