"""Free time of every room and person, in whole minutes, and the search for a common start.

Theory of operation
-------------------
Each room, suspect and person has a :class:`Timeline`: the windows they are available in and the
intervals they are already busy. A room or a suspect is busy for a session *plus* the change-over
after it; people only for the session. ``Timeline.earliest(t, length)`` is the first minute at or
after ``t`` at which ``length`` free minutes begin.

A request needs one member of each of its *groups*: a room, its suspect, its prosecutor (the one
named, or any), a duty lawyer, and an interpreter of its language when it needs one. The
:class:`Board` finds the earliest minute at which every group has a free member by raising ``t``
to the latest of the groups' earliest starts until all agree; ``t`` only grows and each step lands
on a window start or a busy end, so the search ends. Choosing *which* member of each group to take
is left to the caller (the planner and the naive first-fit choose differently).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from session.scheduling.model import (
    Booking,
    Interval,
    Resources,
    SessionRequest,
    from_minute,
    to_minute,
)

#: A suspect has no availability of their own: they are always held at the centre.
_ALWAYS = (-(10**9), 10**9)


def _windows(intervals: Sequence[Interval]) -> list[tuple[int, int]]:
    """Availability as sorted, merged (start, end) minute pairs."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((to_minute(i.start), to_minute(i.end)) for i in intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Timeline:
    """One resource's availability windows and busy intervals, in minutes."""

    def __init__(
        self,
        ident: str,
        windows: list[tuple[int, int]],
        order: int = 0,
        languages: tuple[str, ...] = (),
    ) -> None:
        self.id = ident
        self.order = order
        self.languages = languages
        self.windows = windows
        self._window_ends = [end for _, end in windows]
        self._longest = max((end - start for start, end in windows), default=0)
        self._starts: list[int] = []
        self._ends: list[int] = []

    @property
    def busy_count(self) -> int:
        """How many busy intervals it holds."""
        return len(self._starts)

    def longest_window(self) -> int:
        """The longest stretch it is ever available, in minutes."""
        return self._longest

    def earliest(self, t: int, length: int) -> int | None:
        """The first minute >= ``t`` starting ``length`` free minutes, or None."""
        starts, ends, windows = self._starts, self._ends, self.windows
        last = len(starts) - 1
        i = bisect_right(self._window_ends, t)
        while i < len(windows):
            window_start, window_end = windows[i]
            s = t if t > window_start else window_start
            while s + length <= window_end:
                j = bisect_right(starts, s) - 1
                if j >= 0 and ends[j] > s:
                    s = ends[j]
                elif j < last and starts[j + 1] < s + length:
                    s = ends[j + 1]
                else:
                    return s
            i += 1
        return None

    def free_runs(self, length: int) -> list[tuple[int, int]]:
        """Every free stretch of at least ``length`` minutes, as (start, end) pairs."""
        runs: list[tuple[int, int]] = []
        for window_start, window_end in self.windows:
            s = window_start
            at = bisect_right(self._ends, window_start)
            while at < len(self._starts) and self._starts[at] < window_end:
                if self._starts[at] - s >= length:
                    runs.append((s, self._starts[at]))
                s = max(s, self._ends[at])
                at += 1
            if window_end - s >= length:
                runs.append((s, window_end))
        return runs

    def window_end(self, t: int) -> int:
        """The end of the availability window holding minute ``t``."""
        i = bisect_right(self._window_ends, t)
        return self.windows[i][1] if i < len(self.windows) else t

    def occupy(self, start: int, end: int) -> None:
        """Mark ``[start, end)`` busy (the caller has checked it is free)."""
        at = bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._ends.insert(at, end)

    def release(self, start: int, end: int) -> None:
        """Free ``[start, end)`` again."""
        at = bisect_right(self._starts, start) - 1
        assert self._starts[at] == start and self._ends[at] == end
        del self._starts[at]
        del self._ends[at]


@dataclass(frozen=True)
class Group:
    """One need of a request: ``word`` names it, ``members`` can meet it, each for ``length``."""

    word: str
    members: tuple[Timeline, ...]
    length: int


#: Picks one member of a group free at minute ``t``: (request, group, free members, t) -> member.
Chooser = Callable[[SessionRequest, Group, list[Timeline], int], Timeline]


class Board:
    """Every resource's timeline; finds common free time and places bookings."""

    def __init__(self, resources: Resources) -> None:
        self.changeover = resources.changeover_minutes

        def line(i: int, ident: str, available: Sequence[Interval]) -> Timeline:
            return Timeline(ident, _windows(available), i)

        rooms = [r for r in resources.rooms if r.holds_sessions]
        self.rooms = tuple(line(i, r.id, r.available) for i, r in enumerate(rooms))
        self.prosecutors = {
            p.id: line(i, p.id, p.available) for i, p in enumerate(resources.prosecutors)
        }
        self.lawyers = tuple(line(i, p.id, p.available) for i, p in enumerate(resources.lawyers))
        self.interpreters = {
            p.id: Timeline(p.id, _windows(p.available), i, p.languages)
            for i, p in enumerate(resources.interpreters)
        }
        self.languages: dict[str, tuple[Timeline, ...]] = {}
        for person in resources.interpreters:
            for language in person.languages:
                line_ = self.interpreters[person.id]
                self.languages[language] = (*self.languages.get(language, ()), line_)
        self.suspects: dict[str, Timeline] = {}
        starts = [w[0] for r in self.rooms for w in r.windows]
        #: The first minute any room opens: searches start here.
        self.opening = min(starts, default=0)
        self._groups: dict[str, tuple[Group, ...]] = {}
        self._all_prosecutors = tuple(self.prosecutors.values())
        self._named = {ident: (line,) for ident, line in self.prosecutors.items()}
        self._cache: dict[tuple[int, int, int], int | None] = {}

    def suspect(self, suspect_id: str) -> Timeline:
        """The suspect's timeline (made on first use)."""
        if suspect_id not in self.suspects:
            self.suspects[suspect_id] = Timeline(suspect_id, [_ALWAYS], len(self.suspects))
        return self.suspects[suspect_id]

    def groups(self, request: SessionRequest) -> tuple[Group, ...]:
        """What ``request`` needs, one group per need."""
        cached = self._groups.get(request.id)
        if cached is not None:
            return cached
        d, c = request.minutes, self.changeover
        prosecutors = (
            self._all_prosecutors
            if request.prosecutor is None
            else self._named.get(request.prosecutor, ())
        )
        groups = [
            Group("room", self.rooms, d + c),
            Group("suspect", (self.suspect(request.suspect),), d + c),
            Group("prosecutor", prosecutors, d),
            Group("lawyer", self.lawyers, d),
        ]
        if request.interpreter_language is not None:
            interpreters = self.languages.get(request.interpreter_language, ())
            groups.append(Group("interpreter", interpreters, d))
        self._groups[request.id] = tuple(groups)
        return self._groups[request.id]

    def earliest(
        self, request: SessionRequest, t: int | None = None, suspect: bool = True
    ) -> int | None:
        """The first minute >= ``t`` at which every need of ``request`` can be met, or None.

        With ``suspect=False`` the suspect is left out: the answer is then the same for every
        request of the same length, prosecutor and language, which lets the planner search once
        for all of them.
        """
        t = self.opening if t is None else t
        groups = self.groups(request)
        if not suspect:
            groups = tuple(g for g in groups if g.word != "suspect")
        while True:
            latest = t
            for group in groups:
                best = self._group_earliest(group, t)
                if best is None:
                    return None
                if best > latest:
                    latest = best
            if latest == t:
                return t
            t = latest

    def _group_earliest(self, group: Group, t: int) -> int | None:
        """The first minute >= ``t`` any member of ``group`` is free for its length (cached
        until the board changes: many requests ask the same of the rooms and the lawyers)."""
        key = (id(group.members), group.length, t)
        if key in self._cache:
            return self._cache[key]
        best: int | None = None
        for member in group.members:
            s = member.earliest(t, group.length)
            if s is not None and (best is None or s < best):
                best = s
                if s == t:
                    break
        self._cache[key] = best
        return best

    def free_members(self, group: Group, t: int) -> list[Timeline]:
        """Members of ``group`` free for its length from minute ``t``."""
        return [m for m in group.members if m.earliest(t, group.length) == t]

    def place(self, request: SessionRequest, t: int, choose: Chooser) -> Booking:
        """Book ``request`` at minute ``t`` (found by :meth:`earliest`), members by ``choose``."""
        chosen: dict[str, str] = {}
        for group in self.groups(request):
            member = choose(request, group, self.free_members(group, t), t)
            member.occupy(t, t + group.length)
            chosen[group.word] = member.id
        self._cache.clear()
        return Booking(
            start=from_minute(t),
            end=from_minute(t + request.minutes),
            request=request.id,
            room=chosen["room"],
            prosecutor=chosen["prosecutor"],
            lawyer=chosen["lawyer"],
            interpreter=chosen.get("interpreter"),
        )

    def _lines(self, booking: Booking, request: SessionRequest) -> list[tuple[Timeline, int]]:
        d, c = request.minutes, self.changeover
        lines = [
            (next(r for r in self.rooms if r.id == booking.room), d + c),
            (self.suspect(request.suspect), d + c),
            (self.prosecutors[booking.prosecutor], d),
            (next(p for p in self.lawyers if p.id == booking.lawyer), d),
        ]
        if booking.interpreter is not None:
            lines.append((self.interpreters[booking.interpreter], d))
        return lines

    def remove(self, booking: Booking, request: SessionRequest) -> None:
        """Take a booking off the board."""
        t = to_minute(booking.start)
        for line, length in self._lines(booking, request):
            line.release(t, t + length)
        self._cache.clear()

    def restore(self, booking: Booking, request: SessionRequest) -> None:
        """Put a removed booking back exactly as it was."""
        t = to_minute(booking.start)
        for line, length in self._lines(booking, request):
            line.occupy(t, t + length)
        self._cache.clear()
