"""Nudge: the common package every function imports (domain logic, storage, queues, clients)."""

__version__ = "0.1.0"
