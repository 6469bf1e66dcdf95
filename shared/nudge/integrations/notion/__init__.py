"""Notion (API 2025-09-03: databases hold data sources; pages are created in and queried from a
data source) through notion-client 3.x."""
