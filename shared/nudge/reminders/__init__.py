"""Reminders that fire at the right minute, or are recorded as missed: never silently dropped."""
