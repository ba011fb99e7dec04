"""The ingest stage: read inputs (readers) and remove page furniture (clean)."""

from corroborate.ingest.readers import RawDoc, Skipped, iter_inputs

__all__ = ["RawDoc", "Skipped", "iter_inputs"]
