"""The booking rules, each conflict named: who or what clashes, with which request, and why.

A booking is lawful when:

- its room exists and can hold a session, and the booking lasts as long as the request asks;
- no room, suspect, prosecutor, duty lawyer or interpreter is in two sessions at once;
- a room and a suspect have ``changeover_minutes`` free after each session (the room is readied,
  the suspect is taken between rooms), and a room's change-over lies within its availability;
- every room and person is within their availability for the whole session;
- the prosecutor is the one the request names, when it names one;
- an interpreter who speaks the request's language takes part, when one is needed.

:func:`conflicts` lists every conflict of one booking against the others (the day view shows them
while a booking is dragged); :func:`check` raises :class:`BookingConflict` instead;
:func:`check_plan` checks a whole plan, and is how the tests judge the planner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from session.scheduling.model import (
    Booking,
    Interval,
    Person,
    Plan,
    Resources,
    Role,
    SessionRequest,
)


class ConflictKind(StrEnum):
    """Which rule a booking breaks."""

    UNKNOWN = "unknown"  # names a room, person or request that does not exist
    ROOM_KIND = "room_kind"  # a waiting room
    DURATION = "duration"  # not as long as the request asks
    DOUBLE_BOOKED = "double_booked"
    CHANGEOVER = "changeover"
    UNAVAILABLE = "unavailable"
    WRONG_PROSECUTOR = "wrong_prosecutor"
    INTERPRETER_MISSING = "interpreter_missing"
    INTERPRETER_LANGUAGE = "interpreter_language"
    BOOKED_TWICE = "booked_twice"


#: How each resource is named in messages.
RESOURCE_WORDS = {
    "room": "room",
    "suspect": "suspect",
    "prosecutor": "prosecutor",
    "lawyer": "duty lawyer",
    "interpreter": "interpreter",
    "request": "request",
}


@dataclass(frozen=True)
class Conflict:
    """One broken rule: ``resource`` (a word from :data:`RESOURCE_WORDS`) ``resource_id``
    clashes over ``request``, with ``other_request`` where another booking is involved.
    ``detail`` holds the language, the minutes or the required prosecutor, as the kind needs."""

    kind: ConflictKind
    request: str
    resource: str
    resource_id: str
    other_request: str | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        """The conflict in plain English."""
        who = f"{RESOURCE_WORDS.get(self.resource, self.resource)} {self.resource_id}"
        k = ConflictKind
        texts = {
            k.UNKNOWN: f"there is no {who}",
            k.ROOM_KIND: f"{who} is a waiting room and cannot hold a session",
            k.DURATION: f"request {self.request} needs {self.detail} minutes",
            k.DOUBLE_BOOKED: f"{who} is already booked for request {self.other_request}"
            " at that time",
            k.CHANGEOVER: f"{who} needs {self.detail} minutes of change-over"
            f" after request {self.other_request}",
            k.UNAVAILABLE: f"{who} is not available {self.detail}",
            k.WRONG_PROSECUTOR: f"request {self.request} must be held by prosecutor {self.detail}",
            k.INTERPRETER_MISSING: f"request {self.request} needs an interpreter for {self.detail}",
            k.INTERPRETER_LANGUAGE: f"{who} does not speak {self.detail}",
            k.BOOKED_TWICE: f"request {self.request} is booked more than once",
        }
        return texts[self.kind]


class BookingConflict(ValueError):
    """A booking breaks one or more rules; ``conflicts`` lists them."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("; ".join(c.message for c in conflicts))
        self.conflicts = conflicts


def _hhmm(interval: Interval) -> str:
    return f"{interval.start:%Y-%m-%d %H:%M}–{interval.end:%H:%M}"


def _within(available: Iterable[Interval], needed: Interval) -> bool:
    return any(window.contains(needed) for window in available)


def static_conflicts(
    booking: Booking, request: SessionRequest | None, resources: Resources
) -> list[Conflict]:
    """Conflicts of one booking on its own: existence, kind, length, availability, people."""
    rid = booking.request
    if request is None:
        return [Conflict(ConflictKind.UNKNOWN, rid, "request", rid)]
    found: list[Conflict] = []
    session = booking.interval
    changeover = timedelta(minutes=resources.changeover_minutes)
    room = resources.room(booking.room)
    if room is None:
        found.append(Conflict(ConflictKind.UNKNOWN, rid, "room", booking.room))
    elif not room.holds_sessions:
        found.append(Conflict(ConflictKind.ROOM_KIND, rid, "room", room.id))
    elif not _within(room.available, Interval(booking.start, booking.end + changeover)):
        readied = Interval(booking.start, booking.end + changeover)
        found.append(Conflict(ConflictKind.UNAVAILABLE, rid, "room", room.id, None, _hhmm(readied)))
    if session.minutes != request.minutes:
        found.append(
            Conflict(ConflictKind.DURATION, rid, "request", rid, None, str(request.minutes))
        )
    if request.prosecutor is not None and booking.prosecutor != request.prosecutor:
        found.append(
            Conflict(
                ConflictKind.WRONG_PROSECUTOR,
                rid,
                "prosecutor",
                booking.prosecutor,
                None,
                request.prosecutor,
            )
        )
    people: list[tuple[str, Role, str | None]] = [
        ("prosecutor", Role.PROSECUTOR, booking.prosecutor),
        ("lawyer", Role.LAWYER, booking.lawyer),
        ("interpreter", Role.INTERPRETER, booking.interpreter),
    ]
    for word, role, person_id in people:
        if person_id is None:
            continue
        person = resources.person(role, person_id)
        if person is None:
            found.append(Conflict(ConflictKind.UNKNOWN, rid, word, person_id))
        elif not _within(person.available, session):
            found.append(
                Conflict(ConflictKind.UNAVAILABLE, rid, word, person_id, None, _hhmm(session))
            )
    found.extend(_interpreter_conflicts(booking, request, resources))
    return found


def _interpreter_conflicts(
    booking: Booking, request: SessionRequest, resources: Resources
) -> list[Conflict]:
    language = request.interpreter_language
    if language is None:
        return []
    if booking.interpreter is None:
        return [
            Conflict(
                ConflictKind.INTERPRETER_MISSING, request.id, "request", request.id, None, language
            )
        ]
    interpreter: Person | None = resources.person(Role.INTERPRETER, booking.interpreter)
    if interpreter is not None and language not in interpreter.languages:
        return [
            Conflict(
                ConflictKind.INTERPRETER_LANGUAGE,
                request.id,
                "interpreter",
                interpreter.id,
                None,
                language,
            )
        ]
    return []


def _holders(booking: Booking, request: SessionRequest) -> list[tuple[str, str, bool]]:
    """(resource word, id, needs change-over) for everything a booking occupies."""
    held = [
        ("room", booking.room, True),
        ("suspect", request.suspect, True),
        ("prosecutor", booking.prosecutor, False),
        ("lawyer", booking.lawyer, False),
    ]
    if booking.interpreter is not None:
        held.append(("interpreter", booking.interpreter, False))
    return held


def _clash(
    first: Booking, second: Booking, needs_changeover: bool, changeover: int
) -> ConflictKind | None:
    """How ``second`` clashes with ``first`` on a shared resource, if it does."""
    if first.start < second.end and second.start < first.end:
        return ConflictKind.DOUBLE_BOOKED
    gap = timedelta(minutes=changeover)
    if needs_changeover and (
        first.end <= second.start < first.end + gap or second.end <= first.start < second.end + gap
    ):
        return ConflictKind.CHANGEOVER
    return None


def conflicts(
    booking: Booking,
    others: Iterable[Booking],
    requests: Mapping[str, SessionRequest],
    resources: Resources,
) -> list[Conflict]:
    """Every rule ``booking`` breaks, alone and against ``others``.

    A booking of the same request among ``others`` is ignored, so a move is checked against
    everything but its own old place.
    """
    request = requests.get(booking.request)
    found = static_conflicts(booking, request, resources)
    if request is None:
        return found
    mine = _holders(booking, request)
    for other in others:
        other_request = requests.get(other.request)
        if other.request == booking.request or other_request is None:
            continue
        theirs = {(word, ident) for word, ident, _ in _holders(other, other_request)}
        for word, ident, needs_changeover in mine:
            if (word, ident) not in theirs:
                continue
            kind = _clash(other, booking, needs_changeover, resources.changeover_minutes)
            if kind is not None:
                detail = (
                    str(resources.changeover_minutes) if kind is ConflictKind.CHANGEOVER else ""
                )
                found.append(Conflict(kind, booking.request, word, ident, other.request, detail))
    return found


def check(
    booking: Booking,
    others: Iterable[Booking],
    requests: Mapping[str, SessionRequest],
    resources: Resources,
) -> None:
    """Raise :class:`BookingConflict` if ``booking`` breaks any rule."""
    found = conflicts(booking, others, requests, resources)
    if found:
        raise BookingConflict(found)


def check_plan(
    plan: Plan, requests: Mapping[str, SessionRequest], resources: Resources
) -> list[Conflict]:
    """Every conflict in a whole plan (empty for a lawful plan).

    Each resource's bookings are swept in time order, so a week of bookings checks quickly.
    """
    found: list[Conflict] = []
    seen: set[str] = set()
    by_resource: dict[tuple[str, str], list[tuple[Booking, bool]]] = defaultdict(list)
    for booking in plan.bookings:
        if booking.request in seen:
            found.append(
                Conflict(ConflictKind.BOOKED_TWICE, booking.request, "request", booking.request)
            )
        seen.add(booking.request)
        request = requests.get(booking.request)
        found.extend(static_conflicts(booking, request, resources))
        if request is not None:
            for word, ident, needs_changeover in _holders(booking, request):
                by_resource[word, ident].append((booking, needs_changeover))
    for (word, ident), held in by_resource.items():
        held.sort(key=lambda item: (item[0].start, item[0].end))
        latest: Booking | None = None
        for booking, needs_changeover in held:
            if latest is not None:
                kind = _clash(latest, booking, needs_changeover, resources.changeover_minutes)
                if kind is not None:
                    detail = (
                        str(resources.changeover_minutes) if kind is ConflictKind.CHANGEOVER else ""
                    )
                    found.append(
                        Conflict(kind, booking.request, word, ident, latest.request, detail)
                    )
            if latest is None or booking.end > latest.end:
                latest = booking
    return found
