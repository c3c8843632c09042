"""Who is in the picture: gaps while a party is missing, and what its tile says meanwhile.

Theory of operation: the writer asks, for every output frame, which party has a current
picture. A party that has been seen and then has none (its pictures stopped for longer than
the recorder's ``stale_after``, or the hub said it left) opens a gap that starts at its last
picture; the gap closes with the first picture after it. Until a party is first seen it shows
the plain "no signal" card and no gap is recorded: it has not joined yet. While a gap is open
the party's tile says "signal lost", since when (the local time of its last picture), and why
when the reason is known, so the recording itself shows the interruption, never a frozen
picture. Every opened and closed gap is handed to ``on_gap``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from recording.recorder.inbox import Picture
from recording.recorder.journal import Gap

SIGNAL_LOST = "signal lost"
_SAME_INSTANT = 1e-3  # a picture stamped within a millisecond of the leave is from before it
_LOST_ZH = "信号中断 / signal lost"


class Presence:
    """Tracks each party's presence frame by frame; not thread-safe (the writer owns it)."""

    def __init__(
        self,
        roles: Sequence[str],
        wall_epoch: float,
        on_gap: Callable[[Gap], None],
        *,
        chinese: bool,
    ) -> None:
        self._roles = tuple(roles)
        self._wall_epoch = wall_epoch
        self._on_gap = on_gap
        self._chinese = chinese
        self._last_seen: dict[str, float] = {}
        self._open: dict[str, Gap] = {}
        self._lost_at: dict[str, tuple[float, str]] = {}
        self.gaps: list[Gap] = []

    def lost(self, role: str, reason: str, t: float) -> None:
        """``role`` is gone from session time ``t`` on, for ``reason`` (the hub knows why)."""
        self._lost_at[role] = (t, reason)
        gap = self._open.get(role)
        if gap is not None and gap.reason != reason:
            self._record(replace(gap, reason=reason))

    def add_gap(self, gap: Gap) -> None:
        """Record a gap found elsewhere (no recorder ran between two segments)."""
        self.gaps.append(gap)
        self._on_gap(gap)

    def update(self, at: float, shown: Mapping[str, Picture | None]) -> dict[str, list[str]]:
        """Take one frame's pictures; returns the card lines of every party now missing."""
        cards: dict[str, list[str]] = {}
        for role in self._roles:
            picture = shown.get(role)
            forced = self._lost_at.get(role)
            if forced is not None and at >= forced[0]:
                # Pictures from before the hub said the party left do not bring it back.
                back = picture is not None and picture.t > forced[0] + _SAME_INSTANT
                picture = picture if back else None
            if picture is not None:
                self._last_seen[role] = max(picture.t, self._last_seen.get(role, picture.t))
                gap = self._open.pop(role, None)
                if gap is not None:
                    self._lost_at.pop(role, None)
                    end = picture.t
                    self._record(replace(gap, end=end, wall_end=self._wall_epoch + end))
                continue
            if role not in self._last_seen:
                continue  # not joined yet: the plain "no signal" card
            gap = self._open.get(role)
            if gap is None:
                start = self._last_seen[role] if forced is None else min(forced[0], at)
                start = max(start, self._last_seen[role])
                reason = forced[1] if forced is not None else SIGNAL_LOST
                gap = Gap(role, reason, start, None, self._wall_epoch + start, None)
                self._open[role] = gap
                self._record(gap)
            cards[role] = self._card(gap)
        return cards

    def _record(self, gap: Gap) -> None:
        for k, known in enumerate(self.gaps):
            if known.role == gap.role and known.wall_start == gap.wall_start:
                self.gaps[k] = gap
                break
        else:
            self.gaps.append(gap)
        if gap.end is None:
            self._open[gap.role] = gap
        self._on_gap(gap)

    def _card(self, gap: Gap) -> list[str]:
        since = time.strftime("%H:%M:%S", time.localtime(gap.wall_start))
        if self._chinese:
            lines = [_LOST_ZH, f"自 {since} 起 / since {since}"]
        else:
            lines = [SIGNAL_LOST, f"since {since}"]
        if gap.reason != SIGNAL_LOST:
            lines.append(gap.reason)
        return lines
