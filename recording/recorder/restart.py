"""A recorder started again for a recording that already has segments (after a crash or a
restart of the hub): where the earlier recorder stopped, and the gap until this one began.

The earlier recorder's journal says where its last segment began and, if it closed cleanly,
when it ended. After a crash there is no such line: the end is read from the segment file
itself (the end of its last packet), which is what the file can prove it holds. Times are
carried as Unix times, because session time restarts with the hub.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from recording.recorder.journal import Chapter, Gap, JournalContents
from recording.recorder.segments import last_media_time

log = logging.getLogger(__name__)

RESTART_REASON = "recorder restarted"
CRASH_REASON = "recorder stopped unexpectedly"


@dataclass(frozen=True)
class Previous:
    """What an earlier recorder of the same recording left behind."""

    #: Its last segment file ("" if the journal is missing) and when that segment began.
    path: str
    wall_start: float
    #: When it closed cleanly (Unix time); None after a crash.
    closed_wall: float | None
    #: The session step in progress when it stopped.
    step: Chapter | None

    @classmethod
    def from_journal(cls, earlier: JournalContents, wall_now: float) -> Previous:
        """Read from the earlier journal; without one, the gap starts now (unknown end)."""
        step = earlier.chapters[-1] if earlier.chapters else None
        if not earlier.segments:
            return cls("", wall_now, None, step)
        last = earlier.segments[-1]
        return cls(last.path, last.wall_start, earlier.closed_wall, step)

    def carried_step(self, wall_epoch: float) -> Chapter | None:
        """The step in progress, on the new recorder's session clock (it goes on)."""
        if self.step is None:
            return None
        return Chapter(self.step.title, self.step.wall - wall_epoch, self.step.wall)

    def gap_until(self, start: float, wall_epoch: float) -> Gap:
        """The gap from where the earlier recorder stopped to session time ``start``.

        Reads the earlier segment after a crash: call it off the event loop.
        """
        if self.closed_wall is not None:
            end_wall, reason = self.closed_wall, RESTART_REASON
        else:
            length = last_media_time(Path(self.path)) if self.path else None
            end_wall, reason = self.wall_start + (length or 0.0), CRASH_REASON
        log.warning("recording gap (%s) of %.1f s", reason, wall_epoch + start - end_wall)
        return Gap("recorder", reason, end_wall - wall_epoch, start, end_wall, wall_epoch + start)
