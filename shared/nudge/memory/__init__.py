"""Long-term memory: writing memories and recalling the right ones."""
