"""Nudge: the common package every function imports (domain logic, storage, queues, clients)."""

import os

__version__ = "0.1.0"

# Our matrix products are small (one question against a user's memories, one sentence through
# MiniLM). OpenBLAS's worker threads spin after each call: with them a turn's CPU doubled
# (110 -> 250 ms) and sustained load queued up. Set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
