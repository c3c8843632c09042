"""What a day (or week) of remote plea sessions is planned from, and what a plan is.

Sites hold rooms; rooms, prosecutors, duty lawyers, interpreters and detention-centre staff are
available in intervals of local time; suspects are held at a detention centre; a session request
asks for one plea session of a case with its suspect; a booking places a request in a room at a
time with the people who take part. Everything here is plain, frozen data: the rules
(:mod:`session.scheduling.rules`) and the planner (:mod:`session.scheduling.planner`) work on it.

Times are naive local datetimes to the minute, as detention centres work in local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

#: Minute numbers count from this moment; the planner works in whole minutes.
EPOCH = datetime(2000, 1, 1)


def to_minute(moment: datetime) -> int:
    """Whole minutes from :data:`EPOCH` to ``moment``."""
    return int((moment - EPOCH).total_seconds() // 60)


def from_minute(minute: int) -> datetime:
    """The local time ``minute`` minutes after :data:`EPOCH`."""
    return EPOCH + timedelta(minutes=minute)


@dataclass(frozen=True, order=True)
class Interval:
    """A stretch of local time, ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"an interval must end after it starts ({self.start} .. {self.end})")

    @property
    def minutes(self) -> int:
        """Its length in whole minutes."""
        return to_minute(self.end) - to_minute(self.start)

    def contains(self, other: Interval) -> bool:
        """Whether ``other`` lies wholly inside this interval."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share any time."""
        return self.start < other.end and other.start < self.end


class SiteKind(StrEnum):
    """The three kinds of building a session joins."""

    DETENTION_CENTRE = "detention_centre"  # 看守所
    PROCURATORATE = "procuratorate"  # 检察院
    LAWYER_STUDIO = "lawyer_studio"  # 律师工作室


class RoomKind(StrEnum):
    """What a room is for; only the first two can hold a session."""

    REMOTE_INTERROGATION = "remote_interrogation"  # 远程讯问室
    PLEA_WORKROOM = "plea_workroom"  # 认罪认罚远程工作室
    WAITING = "waiting"  # 等候室


#: Room kinds a plea session may be held in.
SESSION_ROOM_KINDS = frozenset({RoomKind.REMOTE_INTERROGATION, RoomKind.PLEA_WORKROOM})


class Role(StrEnum):
    """The people the planner assigns, and the staff who escort suspects."""

    PROSECUTOR = "prosecutor"
    LAWYER = "lawyer"
    INTERPRETER = "interpreter"
    STAFF = "staff"  # 看守所民警: brings suspects in (提押) and back (还押)


@dataclass(frozen=True)
class Site:
    """A building taking part: a detention centre, a procuratorate or a lawyer studio."""

    id: str
    kind: SiteKind
    name: str = ""


@dataclass(frozen=True)
class Room:
    """A room with its kind and the intervals it may be used in."""

    id: str
    kind: RoomKind
    available: tuple[Interval, ...]
    site: str = ""
    name: str = ""

    @property
    def holds_sessions(self) -> bool:
        """Whether a plea session may be held here (not a waiting room)."""
        return self.kind in SESSION_ROOM_KINDS


@dataclass(frozen=True)
class Person:
    """A prosecutor, a duty lawyer on the roster, an interpreter or a member of staff."""

    id: str
    role: Role
    available: tuple[Interval, ...]
    languages: tuple[str, ...] = ()
    name: str = ""
    site: str = ""


@dataclass(frozen=True)
class Suspect:
    """A suspect held at a detention centre."""

    id: str
    centre: str = ""
    name: str = ""


@dataclass(frozen=True)
class SessionRequest:
    """A request for one plea session of ``case`` with ``suspect``.

    ``prosecutor`` names the prosecutor who must hold it, or is None for any;
    ``interpreter_language`` is the language an interpreter must speak, or None if none is needed.
    """

    id: str
    case: str
    suspect: str
    minutes: int
    prosecutor: str | None = None
    interpreter_language: str | None = None


@dataclass(frozen=True)
class Resources:
    """Everything a plan draws on: change-over time, sites, rooms and people."""

    changeover_minutes: int
    rooms: tuple[Room, ...]
    prosecutors: tuple[Person, ...] = ()
    lawyers: tuple[Person, ...] = ()
    interpreters: tuple[Person, ...] = ()
    staff: tuple[Person, ...] = ()
    sites: tuple[Site, ...] = ()
    suspects: tuple[Suspect, ...] = ()

    def room(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        return next((r for r in self.rooms if r.id == room_id), None)

    def person(self, role: Role, person_id: str) -> Person | None:
        """The person of ``role`` with this id, or None."""
        people = {
            Role.PROSECUTOR: self.prosecutors,
            Role.LAWYER: self.lawyers,
            Role.INTERPRETER: self.interpreters,
            Role.STAFF: self.staff,
        }[role]
        return next((p for p in people if p.id == person_id), None)


@dataclass(frozen=True, order=True)
class Booking:
    """A request placed: its room, its people and its time."""

    start: datetime
    end: datetime
    request: str
    room: str
    prosecutor: str
    lawyer: str
    interpreter: str | None = None

    @property
    def interval(self) -> Interval:
        """The session's time."""
        return Interval(self.start, self.end)

    @property
    def day(self) -> date:
        """The day the session starts."""
        return self.start.date()


@dataclass(frozen=True)
class Unplaced:
    """A request the planner could not place, with a ``code`` and a reason in plain words."""

    request: str
    code: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """The planner's answer: bookings, and the requests it could not place with reasons."""

    bookings: tuple[Booking, ...]
    unplaced: tuple[Unplaced, ...] = field(default=())

    def booking(self, request_id: str) -> Booking | None:
        """The booking of a request, or None."""
        return next((b for b in self.bookings if b.request == request_id), None)
