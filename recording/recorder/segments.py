"""Splitting a recording into segment files, and finding where an earlier recorder stopped.

A recording is one or more Matroska files: ``NAME.mkv`` (segment 0), then ``NAME.001.mkv``,
``NAME.002.mkv``, ... A new segment is started when the current one reaches ``max_bytes`` or
``max_seconds`` (files stay far below the 4 GiB that ISO 9660 discs allow), and when a
recorder for the same session starts again after a crash or restart: an existing file is never
overwritten. Each party's own file sits beside its segment: ``NAME.suspect.mkv``,
``NAME.001.suspect.mkv``, ...
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import av

log = logging.getLogger(__name__)

#: 1 GiB: a quarter of the ISO 9660 file limit, and about 1.5 hours of the composite.
MAX_SEGMENT_BYTES = 1 << 30
#: Segments also end after an hour, so a crash can never take a chapter list of more.
MAX_SEGMENT_SECONDS = 3600.0


@dataclass(frozen=True)
class SegmentPolicy:
    """When a segment is full."""

    max_bytes: int = MAX_SEGMENT_BYTES
    max_seconds: float = MAX_SEGMENT_SECONDS

    def __post_init__(self) -> None:
        if not 0 < self.max_bytes < 4 << 30:
            raise ValueError(f"segments must stay under 4 GiB, got max_bytes={self.max_bytes}")
        if self.max_seconds <= 0:
            raise ValueError(f"max_seconds must be positive, got {self.max_seconds}")

    def full(self, size: int, seconds: float) -> bool:
        """Whether a segment of ``size`` bytes and ``seconds`` length must be closed."""
        return size >= self.max_bytes or seconds >= self.max_seconds - 1e-9


def segment_path(base: Path, index: int) -> Path:
    """The file of segment ``index`` of the recording named ``base``."""
    if index == 0:
        return base
    return base.with_name(f"{base.stem}.{index:03d}{base.suffix}")


def party_path(segment: Path, role: str) -> Path:
    """The file of ``role``'s own picture and sound beside ``segment``."""
    return segment.with_name(f"{segment.stem}.{role}{segment.suffix}")


def next_segment_index(base: Path, roles: Iterable[str], known: Iterable[int] = ()) -> int:
    """The first segment index after ``known`` whose composite and party files are all free."""
    roles = list(roles)
    index = max(known, default=-1) + 1
    while True:
        segment = segment_path(base, index)
        taken = [segment, *(party_path(segment, role) for role in roles)]
        if not any(p.exists() for p in taken):
            return index
        index += 1


def last_media_time(path: Path) -> float | None:
    """End (seconds from the file's start) of the last packet in ``path``; None if unreadable.

    Works on a file cut short by a crash, which has no duration in its header. Reads the
    packet headers of the whole file (no decoding): about a second per gigabyte.
    """
    try:
        with av.open(str(path)) as container:
            end: float | None = None
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                stop = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                end = stop if end is None else max(end, stop)
            return end
    except (av.FFmpegError, OSError) as exc:
        log.warning("cannot read %s to find where it ends: %s", path, exc)
        return None
