"""Readers (text, JSONL, HTML, feeds), near-duplicate detection and the ingest loop."""

from __future__ import annotations

from marsad.ingest.dedup import NearDuplicates
from marsad.ingest.readers import ReadFailure, estimate, path_date, read_paths
from marsad.ingest.run import Extractor, IngestReport, content_hash, ingest

__all__ = [
    "Extractor",
    "IngestReport",
    "NearDuplicates",
    "ReadFailure",
    "content_hash",
    "estimate",
    "ingest",
    "path_date",
    "read_paths",
]
