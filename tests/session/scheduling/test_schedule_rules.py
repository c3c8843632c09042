"""The booking rules: each conflict is found and named, and a lawful booking passes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from session.scheduling.model import (
    Booking,
    Person,
    Plan,
    Resources,
    Role,
    Room,
    RoomKind,
    SessionRequest,
)
from session.scheduling.rules import BookingConflict, ConflictKind, check, check_plan, conflicts
from session.scheduling.scenarios import DAY, at, span

MORNING = (span(DAY, "09:00", "11:00"),)
RESOURCES = Resources(
    changeover_minutes=3,
    rooms=(
        Room("R1", RoomKind.REMOTE_INTERROGATION, MORNING),
        Room("R2", RoomKind.PLEA_WORKROOM, MORNING),
        Room("H1", RoomKind.WAITING, MORNING),
    ),
    prosecutors=(
        Person("P1", Role.PROSECUTOR, MORNING),
        Person("P2", Role.PROSECUTOR, (span(DAY, "10:00", "11:00"),)),
    ),
    lawyers=(Person("L1", Role.LAWYER, MORNING), Person("L2", Role.LAWYER, MORNING)),
    interpreters=(
        Person("I1", Role.INTERPRETER, MORNING, ("ug",)),
        Person("I2", Role.INTERPRETER, MORNING, ("en",)),
    ),
)
REQUESTS = {
    r.id: r
    for r in (
        SessionRequest("A", "案1", "S1", 12),
        SessionRequest("B", "案2", "S2", 12),
        SessionRequest("C", "案3", "S1", 12),
        SessionRequest("N", "案4", "S4", 12, prosecutor="P1"),
        SessionRequest("U", "案5", "S5", 12, interpreter_language="ug"),
    )
}


def booking(
    request: str,
    hhmm: str,
    room: str = "R1",
    prosecutor: str = "P1",
    lawyer: str = "L1",
    interpreter: str | None = None,
    minutes: int = 12,
) -> Booking:
    start = at(DAY, hhmm)
    return Booking(
        start, start + timedelta(minutes=minutes), request, room, prosecutor, lawyer, interpreter
    )


def kinds(new: Booking, *others: Booking) -> set[tuple[ConflictKind, str, str | None]]:
    return {
        (c.kind, c.resource, c.other_request) for c in conflicts(new, others, REQUESTS, RESOURCES)
    }


def test_a_lawful_booking_has_no_conflict():
    first = booking("A", "09:00")
    second = booking("B", "09:15", room="R1", prosecutor="P1", lawyer="L1")
    assert kinds(second, first) == set()
    check(second, [first], REQUESTS, RESOURCES)


@pytest.mark.parametrize(
    ("resource", "second"),
    [
        ("room", booking("B", "09:05", room="R1", prosecutor="P2", lawyer="L2")),
        ("prosecutor", booking("B", "09:05", room="R2", prosecutor="P1", lawyer="L2")),
        ("lawyer", booking("B", "09:05", room="R2", prosecutor="P2", lawyer="L1")),
        ("suspect", booking("C", "09:05", room="R2", prosecutor="P2", lawyer="L2")),
    ],
)
def test_no_room_person_or_suspect_is_in_two_sessions_at_once(resource, second):
    first = booking("A", "09:00")
    second = second if resource != "prosecutor" else booking("B", "10:00", room="R2", lawyer="L2")
    first = first if resource != "prosecutor" else booking("A", "10:05", prosecutor="P1")
    found = kinds(second, first)
    assert (ConflictKind.DOUBLE_BOOKED, resource, "A") in found


def test_an_interpreter_is_not_in_two_sessions_at_once():
    first = booking("U", "09:00", interpreter="I1")
    second = booking("B", "09:05", room="R2", prosecutor="P2", lawyer="L2", interpreter="I1")
    assert (ConflictKind.DOUBLE_BOOKED, "interpreter", "U") in kinds(second, first)


def test_a_room_needs_its_changeover_after_a_session_but_people_do_not():
    first = booking("A", "09:00")  # ends 09:12, room free again at 09:15
    too_soon = booking("B", "09:13", room="R1", prosecutor="P1", lawyer="L1")
    found = kinds(too_soon, first)
    assert found == {(ConflictKind.CHANGEOVER, "room", "A")}
    other_room = booking("B", "09:12", room="R2", prosecutor="P1", lawyer="L1")
    assert kinds(other_room, first) == set()


def test_a_suspect_needs_the_changeover_to_be_taken_between_rooms():
    first = booking("A", "09:00")
    too_soon = booking("C", "09:13", room="R2", prosecutor="P1", lawyer="L1")
    assert kinds(too_soon, first) == {(ConflictKind.CHANGEOVER, "suspect", "A")}
    # ...and before a session too: back in the cell in time to be taken to the next one.
    later = booking("A", "09:30")
    before = booking("C", "09:16", room="R2", lawyer="L2")  # ends 09:28, free again 09:31
    assert kinds(before, later) == {(ConflictKind.CHANGEOVER, "suspect", "A")}


def test_everyone_is_within_their_availability():
    found = conflicts(booking("B", "09:30", prosecutor="P2"), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.resource, c.resource_id) for c in found] == [
        (ConflictKind.UNAVAILABLE, "prosecutor", "P2")
    ]
    assert "prosecutor P2 is not available 2026-03-02 09:30–09:42" in found[0].message


def test_a_rooms_changeover_must_fit_before_it_closes():
    # Ends 10:58; with 3 minutes of change-over the room is busy until 11:01, after it closes.
    found = conflicts(booking("B", "10:46"), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.resource) for c in found] == [(ConflictKind.UNAVAILABLE, "room")]
    assert conflicts(booking("B", "10:45"), [], REQUESTS, RESOURCES) == []


def test_the_named_prosecutor_holds_the_session():
    found = conflicts(booking("N", "10:00", prosecutor="P2"), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.detail) for c in found] == [(ConflictKind.WRONG_PROSECUTOR, "P1")]
    assert found[0].message == "request N must be held by prosecutor P1"


def test_an_interpreter_of_the_right_language_takes_part_when_needed():
    missing = conflicts(booking("U", "09:00"), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.detail) for c in missing] == [(ConflictKind.INTERPRETER_MISSING, "ug")]
    wrong = conflicts(booking("U", "09:00", interpreter="I2"), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.resource_id) for c in wrong] == [(ConflictKind.INTERPRETER_LANGUAGE, "I2")]
    assert wrong[0].message == "interpreter I2 does not speak ug"


def test_a_waiting_room_holds_no_session_and_unknown_names_are_refused():
    found = conflicts(booking("A", "09:00", room="H1", lawyer="L9"), [], REQUESTS, RESOURCES)
    assert {(c.kind, c.resource_id) for c in found} == {
        (ConflictKind.ROOM_KIND, "H1"),
        (ConflictKind.UNKNOWN, "L9"),
    }


def test_a_booking_lasts_as_long_as_its_request_asks():
    found = conflicts(booking("A", "09:00", minutes=10), [], REQUESTS, RESOURCES)
    assert [(c.kind, c.detail) for c in found] == [(ConflictKind.DURATION, "12")]


def test_check_raises_with_every_conflict_named():
    first = booking("A", "09:00")
    with pytest.raises(BookingConflict) as raised:
        check(booking("B", "09:05"), [first], REQUESTS, RESOURCES)
    message = str(raised.value)
    assert "room R1 is already booked for request A" in message
    assert "prosecutor P1 is already booked for request A" in message
    assert "duty lawyer L1 is already booked for request A" in message
    assert len(raised.value.conflicts) == 3


def test_moving_a_booking_ignores_its_own_old_place():
    old = booking("A", "09:00")
    assert kinds(booking("A", "09:05"), old) == set()


def test_a_whole_plan_is_checked_including_double_placement():
    plan = Plan(
        (
            booking("A", "09:00"),
            booking("B", "09:13", prosecutor="P1", lawyer="L2"),
            booking("A", "10:00", room="R2", lawyer="L2"),
        )
    )
    found = {(c.kind, c.request, c.resource) for c in check_plan(plan, REQUESTS, RESOURCES)}
    assert found == {
        (ConflictKind.BOOKED_TWICE, "A", "request"),
        (ConflictKind.CHANGEOVER, "B", "room"),
    }
