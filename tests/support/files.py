"""Recording files as the close-out hands them to the documents: named, hashed, measured."""

from __future__ import annotations

import hashlib
from pathlib import Path

from documents.statement import RecordingFile


def recording_file(path: Path, duration_s: float | None = None) -> RecordingFile:
    """``path`` as the statement lists it, with its SHA-256 and size."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return RecordingFile(path.name, digest, path.stat().st_size, duration_s)
