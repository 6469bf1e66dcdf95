"""The `api` function: a person's own data over HTTP (REST under /v1, and the page)."""
