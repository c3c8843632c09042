"""Reports for the centre and the legal-aid office, and their CSV export.

- room utilisation per day: minutes booked for sessions against minutes the room was open;
- sessions per duty lawyer per day: the lawyer's allowance is paid per day worked;
- per day: sessions booked, held (the hub recorded them), agreements signed, average length.

Reports take plain bookings (from a plan file) or stored bookings (from the schedule store, which
knows what was held and signed).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from session.scheduling.model import Booking, Interval, Resources
from session.scheduling.store import BookingState, CustodyTimes, StoredBooking

#: Yuan paid to a duty lawyer for each day worked.
LAWYER_DAY_ALLOWANCE = 200


@dataclass(frozen=True)
class RoomDay:
    """One room on one day: minutes open, minutes in sessions, and the share used."""

    day: date
    room: str
    sessions: int
    session_minutes: int
    open_minutes: int
    utilisation: float


@dataclass(frozen=True)
class LawyerDay:
    """One duty lawyer on one day worked: sessions witnessed and the allowance due."""

    day: date
    lawyer: str
    sessions: int
    minutes: int
    allowance: int


@dataclass(frozen=True)
class DaySummary:
    """One day's plea sessions: booked, held, agreements signed, average minutes held."""

    day: date
    booked: int
    held: int
    signed: int
    average_minutes: float


@dataclass(frozen=True)
class ScheduleReport:
    """All three reports."""

    rooms: tuple[RoomDay, ...]
    lawyers: tuple[LawyerDay, ...]
    days: tuple[DaySummary, ...]

    @property
    def allowance_total(self) -> int:
        """The duty-lawyer allowance due over the whole report, in yuan."""
        return sum(d.allowance for d in self.lawyers)


def _minutes(b: Booking) -> int:
    return int((b.end - b.start).total_seconds() // 60)


def _open_minutes(available: Sequence[Interval], day: date) -> int:
    """Minutes of ``available`` falling on ``day``."""
    day_start = datetime.combine(day, time())
    day_end = day_start + timedelta(days=1)
    total = 0
    for window in available:
        start, end = max(window.start, day_start), min(window.end, day_end)
        if end > start:
            total += int((end - start).total_seconds() // 60)
    return total


def _days(resources: Resources, bookings: Sequence[Booking]) -> list[date]:
    days = {b.day for b in bookings}
    for room in resources.rooms:
        for window in room.available:
            day = window.start.date()
            while day <= window.end.date():
                days.add(day)
                day += timedelta(days=1)
    return sorted(days)


def room_utilisation(resources: Resources, bookings: Sequence[Booking]) -> list[RoomDay]:
    """Each session room's use per day, for every day a room is open or a session is booked."""
    booked: defaultdict[tuple[date, str], list[Booking]] = defaultdict(list)
    for b in bookings:
        booked[b.day, b.room].append(b)
    rows = []
    for day in _days(resources, bookings):
        for room in resources.rooms:
            if not room.holds_sessions:
                continue
            opened = _open_minutes(room.available, day)
            mine = booked.get((day, room.id), [])
            if not opened and not mine:
                continue
            used = sum(_minutes(b) for b in mine)
            share = round(used / opened, 4) if opened else 0.0
            rows.append(RoomDay(day, room.id, len(mine), used, opened, share))
    return rows


def lawyer_days(bookings: Sequence[Booking]) -> list[LawyerDay]:
    """Sessions per duty lawyer per day worked, with the allowance due for that day."""
    worked: defaultdict[tuple[date, str], list[Booking]] = defaultdict(list)
    for b in bookings:
        worked[b.day, b.lawyer].append(b)
    return [
        LawyerDay(day, lawyer, len(mine), sum(_minutes(b) for b in mine), LAWYER_DAY_ALLOWANCE)
        for (day, lawyer), mine in sorted(worked.items())
    ]


def day_summaries(stored: Sequence[StoredBooking]) -> list[DaySummary]:
    """Per day: sessions booked, held, signed, and the average minutes the hub recorded them
    (a session still going counts its time so far)."""
    by_day: defaultdict[date, list[StoredBooking]] = defaultdict(list)
    for s in stored:
        by_day[s.booking.day].append(s)
    rows = []
    for day, items in sorted(by_day.items()):
        held = [s for s in items if s.held_minutes is not None]
        lengths = [s.held_minutes for s in held if s.held_minutes is not None]
        average = round(sum(lengths) / len(lengths), 1) if lengths else 0.0
        rows.append(DaySummary(day, len(items), len(held), sum(s.signed for s in items), average))
    return rows


def make_report(
    resources: Resources, bookings: Sequence[Booking] | Sequence[StoredBooking]
) -> ScheduleReport:
    """The three reports for a plan's bookings or for stored bookings."""
    unknown = CustodyTimes()
    stored = [
        b if isinstance(b, StoredBooking) else StoredBooking(b, None, unknown, BookingState.BOOKED)
        for b in bookings
    ]
    plain = [s.booking for s in stored]
    return ScheduleReport(
        tuple(room_utilisation(resources, plain)),
        tuple(lawyer_days(plain)),
        tuple(day_summaries(stored)),
    )


def write_csv(rows: Sequence[Any], kind: type, out: TextIO) -> None:
    """Write report rows of dataclass ``kind`` as CSV with a header row (dates as YYYY-MM-DD)."""
    writer = csv.writer(out)
    writer.writerow([f.name for f in fields(kind)])
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in astuple(row)])
