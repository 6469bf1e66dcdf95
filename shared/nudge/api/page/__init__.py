"""The page: server-rendered HTML over the same use cases as the REST routes."""
