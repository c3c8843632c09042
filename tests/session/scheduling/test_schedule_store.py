"""The schedule store: bookings kept, moves checked, 提押/还押 recorded for the statement, and the
hub's session states shown, in one SQLite file shared with the hub."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from repo import DAY_EXAMPLE

from session.hub.store import Store
from session.machine import State, StateChanged, Step
from session.scheduling import io, planner
from session.scheduling.rules import BookingConflict
from session.scheduling.store import (
    BookingState,
    CustodyError,
    ScheduleStore,
    custody_times,
)

EXAMPLE = DAY_EXAMPLE


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 55, 10, 500)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def planned(tmp_path):
    resources, requests = io.load_input(EXAMPLE)
    plan = planner.plan(resources, requests)
    clock = Clock()
    store = ScheduleStore(tmp_path / "hub.sqlite3", clock)
    store.save_plan(resources, requests, plan)
    yield store, plan, clock, tmp_path / "hub.sqlite3"
    store.close()


def test_a_saved_plan_comes_back_with_its_inputs(planned):
    store, plan, _, path = planned
    assert [s.booking for s in store.bookings()] == sorted(plan.bookings)
    assert {s.state for s in store.bookings()} == {BookingState.BOOKED}
    reopened = ScheduleStore(path)
    resources, requests = reopened.inputs()
    assert resources.room("R01").name == "远程讯问室一" and len(requests) == 10
    reopened.close()


def test_a_move_is_checked_against_every_other_booking(planned):
    store, plan, _, _ = planned
    first, second = plan.booking("Q04"), plan.booking("Q07")  # both at 09:00, R01 and R02
    with pytest.raises(BookingConflict, match="room R02 is already booked for request Q07"):
        store.move("Q04", "R02", first.start)
    assert store.booking("Q04").booking == first
    later = datetime(2026, 3, 2, 10, 30)
    moved = store.move("Q04", "W01", later)
    assert (moved.room, moved.start, moved.end) == ("W01", later, later + timedelta(minutes=12))
    assert store.booking("Q04").booking == moved
    assert store.booking("Q07").booking == second


def test_bringing_in_and_returning_are_recorded_for_the_recording_statement(planned):
    store, _, clock, path = planned
    store.link_session("Q04", "session-1")
    assert store.take_out("Q04", officer="G01") == datetime(2026, 3, 2, 8, 55, 10)
    assert store.booking("Q04").state is BookingState.BROUGHT_IN
    clock.now += timedelta(minutes=17)
    store.bring_back("Q04", officer="G01")
    assert store.booking("Q04").state is BookingState.RETURNED
    times = custody_times(path, "session-1")
    assert times.taken_out_at == datetime(2026, 3, 2, 8, 55, 10)
    assert times.returned_at == datetime(2026, 3, 2, 9, 12, 10)
    assert (times.taken_out_by, times.returned_by) == ("G01", "G01")
    assert custody_times(path, "no-such-session") is None


def test_custody_steps_out_of_order_are_refused_plainly(planned):
    store, _, _, _ = planned
    with pytest.raises(CustodyError, match="has not been brought in"):
        store.bring_back("Q04")
    store.take_out("Q04")
    with pytest.raises(CustodyError, match="already brought in at 08:55"):
        store.take_out("Q04")
    with pytest.raises(CustodyError, match="has been brought in: the session stays put"):
        store.move("Q04", "W01", datetime(2026, 3, 2, 14, 30))
    store.bring_back("Q04")
    with pytest.raises(CustodyError, match="already returned"):
        store.bring_back("Q04")
    with pytest.raises(CustodyError, match="request Q99 is not booked"):
        store.take_out("Q99")


def _walk(hub: Store, session_id: str, states: list[State]) -> None:
    previous = State.SCHEDULED
    for i, state in enumerate(states):
        hub.add_state_change(
            session_id, StateChanged(previous, state, Step.ROOM_READY, "hub", 60.0 * i)
        )
        previous = state


def test_the_hubs_session_state_shows_on_the_booking(planned):
    store, _, _, path = planned
    hub = Store(path)
    for request in ("Q04", "Q07", "Q02"):
        store.link_session(request, f"s-{request}")
    _walk(hub, "s-Q04", [State.ROOM_READY, State.RECORDING, State.ANNOUNCED])
    _walk(
        hub,
        "s-Q07",
        [
            State.ROOM_READY,
            State.RECORDING,
            State.SIGNING,
            State.SIGNED,
            State.CLOSING,
            State.CLOSED,
        ],
    )
    _walk(
        hub,
        "s-Q02",
        [State.ROOM_READY, State.RECORDING, State.NO_AGREEMENT_PATH, State.CLOSING, State.CLOSED],
    )
    hub.close()
    states = {s.booking.request: s for s in store.bookings()}
    assert states["Q04"].state is BookingState.LIVE
    assert states["Q07"].state is BookingState.SIGNED and states["Q07"].signed
    assert states["Q07"].held_minutes == 4.0  # recording at 1 min, closed at 5 min
    assert states["Q02"].state is BookingState.ENDED and not states["Q02"].signed
    assert states["Q05"].state is BookingState.BOOKED and states["Q05"].held_minutes is None


def test_a_new_plan_does_not_silently_wipe_the_custody_record(planned):
    store, plan, _, _ = planned
    resources, requests = store.inputs()
    store.take_out("Q04")
    with pytest.raises(CustodyError, match="would lose their 提押/还押 times"):
        store.save_plan(resources, requests, plan)
    assert store.booking("Q04").custody.taken_out_at is not None
    store.save_plan(resources, requests, plan, discard_record=True)
    assert store.booking("Q04").custody.taken_out_at is None
