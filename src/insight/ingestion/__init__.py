"""Getting files into the store: readers, adapters per known source, validation, quarantine, pseudonyms."""

from insight.ingestion.errors import IngestError
from insight.ingestion.pipeline import ingest_path
from insight.ingestion.report import IngestReport

__all__ = ["IngestError", "IngestReport", "ingest_path"]
