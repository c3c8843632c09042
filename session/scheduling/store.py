"""Bookings and the 提押/还押 (take-out and return) record, in SQLite.

Its own tables (``schedule_*``) may live in the hub's database file: a booking linked to a hub
session then shows that session's state (live, signed) from the hub's own tables. The times a
suspect was brought in and taken back go on the recording statement; :func:`custody_times` is
how the statement gets them, by hub session id.

Plain blocking calls on SQLAlchemy Core, like the hub's store; the clock is injected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
    update,
)

from session.database import sqlite_engine
from session.hub.store import state_changes as hub_state_changes
from session.machine import LIVE_STATES, State
from session.scheduling import rules
from session.scheduling.io import input_to_json, read_input
from session.scheduling.model import Booking, Plan, Resources, SessionRequest

metadata = MetaData()

schedule_inputs = Table(
    "schedule_inputs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document", Text, nullable=False),  # the planner input file, as JSON
)

schedule_bookings = Table(
    "schedule_bookings",
    metadata,
    Column("request", String(64), primary_key=True),
    Column("room", String(64), nullable=False),
    Column("prosecutor", String(64), nullable=False),
    Column("lawyer", String(64), nullable=False),
    Column("interpreter", String(64)),
    Column("start", DateTime, nullable=False, index=True),
    Column("end", DateTime, nullable=False),
    Column("session_id", String(36), index=True),  # the hub session, once there is one
)

schedule_custody = Table(
    "schedule_custody",
    metadata,
    Column("request", String(64), ForeignKey("schedule_bookings.request"), primary_key=True),
    Column("taken_out_at", DateTime),  # 提押
    Column("taken_out_by", String(64), nullable=False, default=""),
    Column("returned_at", DateTime),  # 还押
    Column("returned_by", String(64), nullable=False, default=""),
)


class BookingState(StrEnum):
    """Where a booked session stands, as the day view colours it."""

    BOOKED = "booked"
    BROUGHT_IN = "brought_in"  # 提押: the suspect is out of the cell, at the room
    LIVE = "live"  # the hub is recording the session
    SIGNED = "signed"  # the agreement is signed
    ENDED = "ended"  # the session closed without an agreement
    RETURNED = "returned"  # 还押: the suspect is back


@dataclass(frozen=True)
class CustodyTimes:
    """When a suspect was brought in (提押) and returned (还押), and by which officer."""

    taken_out_at: datetime | None = None
    taken_out_by: str = ""
    returned_at: datetime | None = None
    returned_by: str = ""


@dataclass(frozen=True)
class StoredBooking:
    """A booking with its hub session, its custody times and its state.

    ``held_minutes`` is how long the hub recorded the session (None if it never went live);
    ``signed`` whether the agreement was signed in it.
    """

    booking: Booking
    session_id: str | None
    custody: CustodyTimes
    state: BookingState
    held_minutes: float | None = None
    signed: bool = False


@dataclass(frozen=True)
class _HubHistory:
    """A linked hub session's states in order, with the session-clock time of each."""

    states: list[str]
    times: list[float]

    def held_minutes(self) -> float | None:
        live = {s.value for s in LIVE_STATES}
        started = next((t for s, t in zip(self.states, self.times, strict=True) if s in live), None)
        if started is None:
            return None
        return (self.times[-1] - started) / 60


class CustodyError(ValueError):
    """A take-out, return or move that does not fit what has happened; the message says why."""


def booking_state(custody: CustodyTimes, hub_states: Sequence[str]) -> BookingState:
    """The state of a booking from its custody times and its hub session's states so far."""
    if custody.returned_at is not None:
        return BookingState.RETURNED
    if State.SIGNED.value in hub_states:
        return BookingState.SIGNED
    current = hub_states[-1] if hub_states else None
    if current == State.CLOSED.value:
        return BookingState.ENDED
    if current in {s.value for s in LIVE_STATES} | {State.INTERRUPTED.value}:
        return BookingState.LIVE
    if custody.taken_out_at is not None:
        return BookingState.BROUGHT_IN
    return BookingState.BOOKED


class ScheduleStore:
    """The plan being worked, its bookings and their custody record, in one SQLite file."""

    def __init__(self, path: Path | str, clock: Callable[[], datetime] = datetime.now) -> None:
        self._engine = sqlite_engine(path)
        self._clock = clock
        metadata.create_all(self._engine)

    def save_plan(
        self,
        resources: Resources,
        requests: Sequence[SessionRequest],
        plan: Plan,
        discard_record: bool = False,
    ) -> None:
        """Make ``plan`` the plan being worked, replacing any earlier one.

        Once a suspect has been brought in under the earlier plan, its 提押/还押 record would be
        lost: that raises :class:`CustodyError` unless ``discard_record`` says to go ahead.
        """
        document = json.dumps(input_to_json(resources, requests), ensure_ascii=False)
        with self._engine.begin() as db:
            recorded = db.execute(select(schedule_custody.c.request)).first()
            if recorded is not None and not discard_record:
                raise CustodyError(
                    "suspects have already been brought in under the plan in this database;"
                    " replacing it would lose their 提押/还押 times"
                )
            db.execute(delete(schedule_custody))
            db.execute(delete(schedule_bookings))
            db.execute(delete(schedule_inputs))
            db.execute(insert(schedule_inputs).values(id=1, document=document))
            if plan.bookings:
                db.execute(
                    insert(schedule_bookings),
                    [{**_row(b), "session_id": None} for b in plan.bookings],
                )

    def inputs(self) -> tuple[Resources, list[SessionRequest]] | None:
        """The rooms, people and requests the plan was made from, or None before any plan."""
        with self._engine.connect() as db:
            document = db.execute(select(schedule_inputs.c.document)).scalar()
        return read_input(json.loads(document)) if document else None

    def bookings(self) -> list[StoredBooking]:
        """Every booking in time order, with its state."""
        with self._engine.connect() as db:
            query = select(schedule_bookings, schedule_custody).outerjoin(schedule_custody)
            rows = db.execute(query.order_by(schedule_bookings.c.start)).all()
            linked = [row.session_id for row in rows if row.session_id]
            histories = self._hub_histories(db, linked) if linked else {}
        stored = []
        for row in rows:
            custody = CustodyTimes(
                row.taken_out_at, row.taken_out_by or "", row.returned_at, row.returned_by or ""
            )
            history = histories.get(row.session_id or "", _HubHistory([], []))
            stored.append(
                StoredBooking(
                    _booking(row),
                    row.session_id,
                    custody,
                    booking_state(custody, history.states),
                    history.held_minutes(),
                    State.SIGNED.value in history.states,
                )
            )
        return stored

    def _hub_histories(self, db: Connection, session_ids: list[str]) -> dict[str, _HubHistory]:
        """Each linked hub session's history, if the hub shares this file."""
        if not inspect(db).has_table(hub_state_changes.name):
            return {}
        changes = hub_state_changes.c
        query = (
            select(changes.session_id, changes.state, changes.at)
            .where(changes.session_id.in_(session_ids))
            .order_by(changes.id)
        )
        histories: dict[str, _HubHistory] = {}
        for session_id, state, at in db.execute(query):
            history = histories.setdefault(session_id, _HubHistory([], []))
            history.states.append(state)
            history.times.append(at)
        return histories

    def booking(self, request_id: str) -> StoredBooking:
        """One booking; :class:`CustodyError` if the request is not booked."""
        found = next((b for b in self.bookings() if b.booking.request == request_id), None)
        if found is None:
            raise CustodyError(f"request {request_id} is not booked")
        return found

    def move(self, request_id: str, room: str, start: datetime) -> Booking:
        """Move a booking to ``room`` at ``start`` (same people, same length).

        Raises :class:`rules.BookingConflict` naming every clash, or :class:`CustodyError` once
        the suspect has been brought in.
        """
        current = self.booking(request_id)
        if current.custody.taken_out_at is not None:
            raise CustodyError(
                f"the suspect of request {request_id} has been brought in: the session stays put"
            )
        inputs = self.inputs()
        assert inputs is not None  # a booking exists, so a plan was saved
        resources, requests = inputs
        old = current.booking
        moved = Booking(
            start,
            start + (old.end - old.start),
            request_id,
            room,
            old.prosecutor,
            old.lawyer,
            old.interpreter,
        )
        others = [b.booking for b in self.bookings()]
        rules.check(moved, others, {r.id: r for r in requests}, resources)
        with self._engine.begin() as db:
            db.execute(
                update(schedule_bookings)
                .where(schedule_bookings.c.request == request_id)
                .values(_row(moved))
            )
        return moved

    def link_session(self, request_id: str, session_id: str) -> None:
        """Record the hub session that holds a booked request: once only, so a booking's
        提押/还押 record can never be moved to another session."""
        self.booking(request_id)
        with self._engine.begin() as db:
            done = db.execute(
                update(schedule_bookings)
                .where(schedule_bookings.c.request == request_id)
                .where(schedule_bookings.c.session_id.is_(None))
                .values(session_id=session_id)
            )
        if done.rowcount != 1:
            raise CustodyError(f"request {request_id} is already linked to a session")

    def take_out(self, request_id: str, officer: str = "") -> datetime:
        """Record that the suspect was brought in (提押) now; returns the time recorded."""
        custody = self.booking(request_id).custody
        if custody.taken_out_at is not None:
            raise CustodyError(
                f"the suspect of request {request_id} was already brought in at"
                f" {custody.taken_out_at:%H:%M}"
            )
        at = self._clock().replace(microsecond=0)
        with self._engine.begin() as db:
            db.execute(
                insert(schedule_custody).values(
                    request=request_id, taken_out_at=at, taken_out_by=officer
                )
            )
        return at

    def bring_back(self, request_id: str, officer: str = "") -> datetime:
        """Record that the suspect was returned (还押) now; returns the time recorded."""
        custody = self.booking(request_id).custody
        if custody.taken_out_at is None:
            raise CustodyError(f"the suspect of request {request_id} has not been brought in")
        if custody.returned_at is not None:
            raise CustodyError(
                f"the suspect of request {request_id} was already returned at"
                f" {custody.returned_at:%H:%M}"
            )
        at = max(self._clock().replace(microsecond=0), custody.taken_out_at)
        with self._engine.begin() as db:
            db.execute(
                update(schedule_custody)
                .where(schedule_custody.c.request == request_id)
                .values(returned_at=at, returned_by=officer)
            )
        return at

    def custody_for_session(self, session_id: str) -> CustodyTimes | None:
        """The custody times of the booking linked to hub session ``session_id``, or None."""
        found = next((b for b in self.bookings() if b.session_id == session_id), None)
        return found.custody if found else None

    def close(self) -> None:
        """Release the database."""
        self._engine.dispose()


def custody_times(database: Path | str, session_id: str) -> CustodyTimes | None:
    """The 提押/还押 times of a hub session, for its recording statement; None if the session
    was not booked through the schedule."""
    store = ScheduleStore(database)
    try:
        return store.custody_for_session(session_id)
    finally:
        store.close()


def _row(booking: Booking) -> dict[str, object]:
    return {
        "request": booking.request,
        "room": booking.room,
        "prosecutor": booking.prosecutor,
        "lawyer": booking.lawyer,
        "interpreter": booking.interpreter,
        "start": booking.start,
        "end": booking.end,
    }


def _booking(row: Row[Any]) -> Booking:
    return Booking(
        row.start, row.end, row.request, row.room, row.prosecutor, row.lawyer, row.interpreter
    )
