"""Web search through ddgs, answered in one text with a source or two."""
