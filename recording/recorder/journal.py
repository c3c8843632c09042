"""The recording's journal: segments, chapters and gaps, written as they happen.

Theory of operation: Matroska stores chapters in the file's header or trailer, so a recorder
killed mid-segment leaves a file without its latest chapters. The journal beside the
recording (``NAME.journal.jsonl``) is therefore the crash-safe record: one JSON object per
line, appended and flushed to the disk (fsync) the moment a segment opens or closes, a session
step begins, or a party is lost or comes back. A later recorder for the same session reads it
to continue numbering segments and to record the gap while no recorder ran.

Times are given twice: ``t`` in session time of the recorder that wrote the line, and
``wall`` in Unix time, which stays meaningful across a hub restart (session time restarts).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chapter:
    """A session step: it begins at session time ``t`` (``wall``: Unix time)."""

    title: str
    t: float
    wall: float


@dataclass(frozen=True)
class Gap:
    """A stretch during which a party, or the whole recording, was missing.

    ``role`` is the party, or ``"recorder"`` when no recorder ran (a restart). ``end`` is None
    while the gap lasts. Times are session times of the recorder reporting it; ``wall_start``
    and ``wall_end`` are Unix times.
    """

    role: str
    reason: str
    start: float
    end: float | None
    wall_start: float
    wall_end: float | None

    @property
    def open(self) -> bool:
        """Whether the gap is still going on."""
        return self.end is None


@dataclass(frozen=True)
class SegmentRecord:
    """One file of the recording: frame 0 shows session time ``start`` (Unix ``wall_start``)."""

    index: int
    path: str
    start: float
    wall_start: float


def journal_path(recording: Path) -> Path:
    """The journal beside ``recording`` (``NAME.mkv`` -> ``NAME.journal.jsonl``)."""
    return recording.with_name(recording.stem + ".journal.jsonl")


class Journal:
    """Appends events to the journal file, each flushed to disk before returning."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, event: str, **fields: Any) -> None:
        """Append one event line and make it durable (events are rare: opened each time)."""
        line = json.dumps({"event": event, **fields}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
            file.flush()
            os.fsync(file.fileno())

    def chapter(self, chapter: Chapter) -> None:
        """Record the start of a session step."""
        self.write("chapter", **asdict(chapter))

    def gap(self, gap: Gap) -> None:
        """Record a gap opening (``end`` None) or closing."""
        self.write("gap_end" if gap.end is not None else "gap_start", **asdict(gap))


@dataclass(frozen=True)
class JournalContents:
    """What an earlier journal says: its segments, chapters and gaps, and its last word."""

    segments: tuple[SegmentRecord, ...]
    chapters: tuple[Chapter, ...]
    gaps: tuple[Gap, ...]
    #: Unix time at which the last segment was closed cleanly; None after a crash.
    closed_wall: float | None


def read_journal(path: Path) -> JournalContents:
    """Read a journal; a torn last line (a crash mid-write) is skipped with a log line."""
    segments: list[SegmentRecord] = []
    chapters: list[Chapter] = []
    gaps: dict[tuple[str, float], Gap] = {}
    closed_wall: float | None = None
    if path.is_file():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                entry = json.loads(line)
                event = entry.pop("event")
            except (json.JSONDecodeError, KeyError, AttributeError):
                log.warning("%s line %d is unreadable and was skipped", path, number)
                continue
            if event == "segment":
                segments.append(SegmentRecord(**entry))
                closed_wall = None
            elif event == "segment_closed":
                closed_wall = float(entry["wall_end"])
            elif event == "chapter":
                chapters.append(Chapter(**entry))
            elif event in ("gap_start", "gap_end"):
                gap = Gap(**entry)
                gaps[(gap.role, gap.wall_start)] = gap
    return JournalContents(tuple(segments), tuple(chapters), tuple(gaps.values()), closed_wall)
