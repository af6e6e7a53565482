"""Ingest benchmark (see README.md)."""
