"""Ingestion: validate the raw table and profile its classes."""

from . import pipeline  # noqa: F401
