"""Slow work done in the background and answered by SMS: YouTube summaries, web search, notes.

Every request has one shape: an agent tool records an AI task (`users/{id}/ai_tasks`) and
enqueues it on the `integrations` queue; a queue-triggered function runs it once, keeps the
result and texts it. Nothing here is imported eagerly: each function loads only what it uses.
"""
