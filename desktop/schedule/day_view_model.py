"""The view-model of the day view: one day's rooms and bookings from the schedule store, moves
checked against the rules, and the 提押/还押 record.

It holds no widgets; the grid and the window draw what it says and call what it offers. Calls to
the store are small SQLite queries made on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.schedule.texts import conflict_text
from session.scheduling import rules
from session.scheduling.model import Booking, Interval, Resources, Role, Room, SessionRequest
from session.scheduling.store import (
    BookingState,
    CustodyError,
    CustodyTimes,
    ScheduleStore,
    StoredBooking,
)


@dataclass(frozen=True)
class Block:
    """A booking as the day view shows it."""

    booking: Booking
    request: SessionRequest
    state: BookingState
    custody: CustodyTimes


class DayViewModel(QObject):
    """One day of the schedule for detention-centre staff."""

    #: The bookings, their states or the day shown changed: redraw.
    bookings_changed = Signal()
    #: An action was refused or failed: the message for staff.
    refused = Signal(str)
    #: A custody time was recorded: (request id, "take_out" or "return", time as HH:MM).
    custody_recorded = Signal(str, str, str)

    def __init__(self, store: ScheduleStore, day: date | None = None, officer: str = "") -> None:
        super().__init__()
        self._store = store
        self.officer = officer
        inputs = store.inputs()
        self.resources: Resources = inputs[0] if inputs else Resources(0, ())
        self.requests: dict[str, SessionRequest] = {r.id: r for r in (inputs[1] if inputs else [])}
        self._stored: list[StoredBooking] = store.bookings()
        days = self.days()
        self.day = day or (days[0] if days else date.today())

    # What is shown ------------------------------------------------------------------------

    def days(self) -> list[date]:
        """Days that have bookings or open rooms."""
        found = {s.booking.day for s in self._stored}
        found |= {w.start.date() for r in self.rooms() for w in r.available}
        return sorted(found)

    def set_day(self, day: date) -> None:
        """Show another day."""
        self.day = day
        self.bookings_changed.emit()

    def step_day(self, step: int) -> None:
        """Show the previous (-1) or next (+1) day that has something on it."""
        days = self.days()
        later = [d for d in days if (d - self.day).days * step > 0]
        if later:
            self.set_day(min(later) if step > 0 else max(later))

    def rooms(self) -> list[Room]:
        """The rooms that hold sessions, one row each."""
        return [r for r in self.resources.rooms if r.holds_sessions]

    def hours(self) -> tuple[datetime, datetime]:
        """The span of the day to draw: whole hours around every open room and booking."""
        moments = [
            m
            for r in self.rooms()
            for w in r.available
            if w.start.date() == self.day
            for m in (w.start, w.end)
        ]
        moments += [m for b in self.blocks() for m in (b.booking.start, b.booking.end)]
        if not moments:
            start = datetime.combine(self.day, time(8))
            return start, start + timedelta(hours=10)
        first = min(moments).replace(minute=0)
        last = max(moments)
        if last.minute:
            last = last.replace(minute=0) + timedelta(hours=1)
        return first, last

    def open_hours(self, room: Room) -> list[Interval]:
        """When ``room`` is open on the day shown."""
        return [w for w in room.available if w.start.date() == self.day]

    def blocks(self) -> list[Block]:
        """The bookings on the day shown, in time order."""
        return [
            Block(s.booking, self.requests[s.booking.request], s.state, s.custody)
            for s in self._stored
            if s.booking.day == self.day and s.booking.request in self.requests
        ]

    def block(self, request_id: str) -> Block | None:
        """The block of one request on the day shown, or None."""
        return next((b for b in self.blocks() if b.booking.request == request_id), None)

    def person(self, role: Role, person_id: str | None) -> str:
        """A person as staff know them: their name with their id, or just the id."""
        if person_id is None:
            return ""
        found = self.resources.person(role, person_id)
        return f"{found.name} ({person_id})" if found and found.name else person_id

    # What staff do -------------------------------------------------------------------------

    def conflicts_for_move(self, request_id: str, room: str, start: datetime) -> list[str]:
        """What would clash if the booking moved to ``room`` at ``start`` (empty: it may)."""
        block = self.block(request_id)
        if block is None:
            return []
        if block.custody.taken_out_at is not None:
            return [
                QCoreApplication.translate(
                    "schedule",
                    "The suspect has been brought in: the session can no longer be moved.",
                )
            ]
        old = block.booking
        moved = Booking(
            start,
            start + (old.end - old.start),
            old.request,
            room,
            old.prosecutor,
            old.lawyer,
            old.interpreter,
        )
        others = [s.booking for s in self._stored]
        found = rules.conflicts(moved, others, self.requests, self.resources)
        return [conflict_text(c) for c in found]

    def move(self, request_id: str, room: str, start: datetime) -> bool:
        """Move a booking; on a clash emit ``refused`` with the reasons and return False."""
        problems = self.conflicts_for_move(request_id, room, start)
        if problems:
            self.refused.emit(" ".join(problems))
            return False
        try:
            self._store.move(request_id, room, start)
        except (rules.BookingConflict, CustodyError) as error:
            self.refused.emit(str(error))
            return False
        self.refresh()
        return True

    def take_out(self, request_id: str) -> None:
        """Record that the suspect was brought in (提押) now."""
        block = self.block(request_id)
        if block is not None and block.custody.taken_out_at is not None:
            self.refused.emit(
                QCoreApplication.translate(
                    "schedule", "The suspect was already brought in at {time}."
                ).format(time=f"{block.custody.taken_out_at:%H:%M}")
            )
            return
        try:
            at = self._store.take_out(request_id, self.officer)
        except CustodyError as error:
            self.refused.emit(str(error))
            return
        self.refresh()
        self.custody_recorded.emit(request_id, "take_out", f"{at:%H:%M}")

    def bring_back(self, request_id: str) -> None:
        """Record that the suspect was returned (还押) now."""
        block = self.block(request_id)
        if block is not None and block.custody.taken_out_at is None:
            self.refused.emit(
                QCoreApplication.translate("schedule", "The suspect has not been brought in yet.")
            )
            return
        if block is not None and block.custody.returned_at is not None:
            self.refused.emit(
                QCoreApplication.translate(
                    "schedule", "The suspect was already returned at {time}."
                ).format(time=f"{block.custody.returned_at:%H:%M}")
            )
            return
        try:
            at = self._store.bring_back(request_id, self.officer)
        except CustodyError as error:
            self.refused.emit(str(error))
            return
        self.refresh()
        self.custody_recorded.emit(request_id, "return", f"{at:%H:%M}")

    def refresh(self) -> None:
        """Read the bookings and their states again (the hub moves sessions along)."""
        self._stored = self._store.bookings()
        self.bookings_changed.emit()
