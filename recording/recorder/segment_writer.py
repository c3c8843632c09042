"""One segment of a recording: the composite file and each party's own file beside it.

Every file is created exclusively (an existing file is never overwritten) and says in its
header what it is: ``PLEADESK_*`` tags give the kind, the session time and Unix time of its
zero, the case number, the layout of the parties in the picture and their clapper numbers, so
a file cut short by a crash can still be analysed (:mod:`recording.sync.analysis`). The
segment's chapters are written when it closes; the journal has them before that.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recording.media.clapper import party_index
from recording.recorder.compositor import Layout
from recording.recorder.inbox import EncodedPicture
from recording.recorder.journal import Chapter, Journal
from recording.recorder.muxer import MatroskaMuxer
from recording.recorder.party_writer import PARTY_SIZE, PartyFiles, PartyWriter
from recording.recorder.segments import SegmentPolicy, party_path, segment_path

log = logging.getLogger(__name__)


def segment_chapters(
    chapters: Sequence[Chapter], start: float, end: float
) -> list[tuple[str, float, float]]:
    """The chapters within [start, end) as (title, start, end) in seconds from ``start``.

    A step that began before the segment opens it at zero.
    """
    ordered = sorted(chapters, key=lambda c: c.t)
    result = []
    for k, chapter in enumerate(ordered):
        stop = ordered[k + 1].t if k + 1 < len(ordered) else end
        first, last = max(chapter.t, start), min(stop, end)
        if last > first:
            result.append((chapter.title, first - start, last - start))
    return result


class SegmentWriter:
    """Writes one segment's composite file and party files; the writer thread owns it."""

    def __init__(
        self,
        index: int,
        path: Path,
        muxer: MatroskaMuxer,
        parties: PartyFiles,
        *,
        first_frame: int,
        first_sample: int,
        start: float,
        policy: SegmentPolicy,
    ) -> None:
        self.index, self.path, self.start = index, path, start
        self._muxer, self._parties = muxer, parties
        self._first_frame, self._first_sample = first_frame, first_sample
        self._policy = policy

    @property
    def party_paths(self) -> tuple[Path, ...]:
        """The party files of this segment."""
        return tuple(writer.path for writer in self._parties.writers.values())

    @classmethod
    def create(
        cls,
        base: Path,
        index: int,
        *,
        roles: Sequence[str],
        layout: Layout,
        first_frame: int,
        first_sample: int,
        start: float,
        wall_start: float,
        case_number: str,
        size: tuple[int, int],
        fps: int,
        audio_rate: int,
        cluster_ms: int,
        preset: str,
        party_files: bool,
        party_sizes: Mapping[str, tuple[int, int]],
        policy: SegmentPolicy,
        ask_keyframe: Callable[[str], None] | None,
    ) -> SegmentWriter:
        """Create segment ``index`` of the recording ``base`` (files must not exist yet).

        ``party_sizes`` are the parties' picture sizes as far as known (their files say so).
        """
        path = segment_path(base, index)
        paths = [path, *(party_path(path, role) for role in roles if party_files)]
        created: list[Path] = []
        muxer: MatroskaMuxer | None = None
        parties: dict[str, PartyWriter] = {}
        try:
            for p in paths:
                # Exclusive creation: an earlier recording is never overwritten.
                with p.open("xb"):
                    created.append(p)
            common = {
                "PLEADESK_SESSION_START": f"{start:.6f}",
                "PLEADESK_WALL_START": f"{wall_start:.6f}",
                "PLEADESK_SEGMENT": str(index),
                "PLEADESK_CASE": case_number,
                "title": case_number,
            }
            clapper = {role: party_index(role, roles) for role in roles}
            areas = {role: [r.x, r.y, r.w, r.h] for role, r in layout.areas}
            muxer = MatroskaMuxer(
                path, size=size, fps=fps, audio_rate=audio_rate, preset=preset,
                cluster_ms=cluster_ms,
                metadata={
                    **common, "PLEADESK_KIND": "composite", "PLEADESK_FPS": str(fps),
                    "PLEADESK_LAYOUT": json.dumps(areas), "PLEADESK_CLAPPER": json.dumps(clapper),
                },
            )  # fmt: skip
            for role in roles if party_files else ():
                parties[role] = PartyWriter(
                    party_path(path, role), role, start=start, audio_rate=audio_rate,
                    size=party_sizes.get(role, PARTY_SIZE), cluster_ms=cluster_ms,
                    metadata={
                        **common, "PLEADESK_KIND": "party", "PLEADESK_ROLE": role,
                        "PLEADESK_CLAPPER": json.dumps({role: clapper[role]}),
                    },
                )  # fmt: skip
        except BaseException:
            if muxer is not None:
                muxer.abort()
            for writer in parties.values():
                writer.abort()
            for p in created:  # the empty files made above, so the names can be used again
                p.unlink(missing_ok=True)
            raise
        files = PartyFiles(parties, ask_keyframe=ask_keyframe)
        return cls(
            index, path, muxer, files, first_frame=first_frame, first_sample=first_sample,
            start=start, policy=policy,
        )  # fmt: skip

    def write_video(self, canvas: np.ndarray, frame: int) -> None:
        """Encode composite frame ``frame`` (counted from the recording's first)."""
        self._muxer.write_video(canvas, frame - self._first_frame)

    def write_encoded(self, role: str, pictures: Sequence[EncodedPicture]) -> None:
        """Hand ``role``'s compressed pictures, as they arrived, to its file."""
        self._parties.add_encoded(role, pictures)

    def write_audio(self, mix: np.ndarray, parts: Mapping[str, np.ndarray], sample: int) -> None:
        """Encode the mix and each party's own sound; ``sample`` counts from the recording's
        first sample."""
        start = sample - self._first_sample
        self._muxer.write_audio(mix, start)
        self._parties.write_audio(parts, start, len(mix))

    def full(self, end: float) -> bool:
        """Whether the segment must end at session time ``end``: its length by then, or its
        size now, reaches the limit."""
        return self._policy.full(os.stat(self.path).st_size, end - self.start)

    def close(self, chapters: Sequence[Chapter], end: float) -> None:
        """Write the chapters, drain the encoders and close every file."""
        self._muxer.set_chapters(segment_chapters(chapters, self.start, end))
        try:
            self._muxer.close()
        except BaseException:
            self._parties.abort()
            raise
        self._parties.close()

    def abort(self) -> None:
        """Close every file after a failure; logs rather than raises."""
        self._muxer.abort()
        self._parties.abort()


class SegmentSeries:
    """The segments one recorder writes, in order; each opening and closing is journalled.

    The writer thread opens, rolls and closes segments; :meth:`paths` may be read from any
    thread.
    """

    def __init__(self, base: Path, journal: Journal, wall_epoch: float, **settings: Any) -> None:
        self._base, self._journal, self._wall_epoch = base, journal, wall_epoch
        self._settings = settings
        self._lock = threading.Lock()
        self.current: SegmentWriter | None = None
        self._done: list[SegmentWriter] = []

    def all(self) -> list[SegmentWriter]:
        """Every segment so far, the current one last."""
        with self._lock:
            return [*self._done, *([self.current] if self.current is not None else [])]

    def open(
        self,
        index: int,
        *,
        first_frame: int,
        first_sample: int,
        start: float,
        case_number: str,
        party_sizes: Mapping[str, tuple[int, int]],
    ) -> SegmentWriter:
        """Create segment ``index`` (files must not exist yet) and make it current."""
        wall_start = self._wall_epoch + start
        segment = SegmentWriter.create(
            self._base, index, first_frame=first_frame, first_sample=first_sample, start=start,
            wall_start=wall_start, case_number=case_number, party_sizes=party_sizes,
            **self._settings,
        )  # fmt: skip
        self._journal.write(
            "segment", index=index, path=str(segment.path), start=start, wall_start=wall_start
        )
        with self._lock:
            self.current = segment
        return segment

    def close(self, chapters: Sequence[Chapter], end: float) -> None:
        """Close the current segment at session time ``end``, with its chapters."""
        segment = self.current
        assert segment is not None
        segment.close(chapters, end)
        self._journal.write(
            "segment_closed", index=segment.index, end=end, wall_end=self._wall_epoch + end
        )
        with self._lock:
            self._done.append(segment)
            self.current = None

    def abort(self) -> None:
        """Close the current segment after a failure; logs rather than raises."""
        if self.current is not None:
            self.current.abort()
