"""The auto-planner: the design load packs perfectly, scarce days beat a naive first-fit, every
request left over is explained, and a week plans quickly."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest

from session.scheduling import naive, planner, scenarios
from session.scheduling.model import (
    Person,
    Plan,
    Resources,
    Role,
    Room,
    RoomKind,
    SessionRequest,
)
from session.scheduling.rules import check_plan
from session.scheduling.scenarios import DAY, at, span


def lawful(plan: Plan, resources: Resources, requests: list[SessionRequest]) -> None:
    """Every rule kept, and every request booked once or explained."""
    assert check_plan(plan, {r.id: r for r in requests}, resources) == []
    booked = [b.request for b in plan.bookings]
    left = [u.request for u in plan.unplaced]
    assert sorted(booked + left) == sorted(r.id for r in requests)
    assert all(u.reason for u in plan.unplaced)


@pytest.mark.parametrize("named", [False, True])
def test_the_design_load_of_80_sessions_in_2_hours_is_all_placed(named):
    resources, requests = scenarios.tight_day(named_prosecutors=named)
    plan = planner.plan(resources, requests)
    lawful(plan, resources, requests)
    assert len(plan.bookings) == 80 and plan.unplaced == ()
    per_room = Counter(b.room for b in plan.bookings)
    assert set(per_room.values()) == {8}
    assert max(b.end for b in plan.bookings) == at(DAY, "10:57")


def test_a_naive_first_fit_fragments_the_rooms_when_cases_are_listed_by_prosecutor():
    resources, requests = scenarios.tight_day(named_prosecutors=True)
    plan = naive.first_fit(resources, requests)
    lawful(plan, resources, requests)
    assert len(plan.bookings) <= 60  # the planner places all 80


def test_when_not_all_fit_the_rest_are_explained():
    resources, requests = scenarios.tight_day()
    extra = [SessionRequest(f"X{i}", f"案X{i}", f"SX{i}", 12) for i in range(3)]
    plan = planner.plan(resources, requests + extra)
    lawful(plan, resources, requests + extra)
    assert len(plan.bookings) == 80
    assert len(plan.unplaced) == 3
    assert {u.code for u in plan.unplaced} == {"fully_booked"}
    assert plan.unplaced[0].reason == (
        "the rooms (80 sessions), prosecutors (80 sessions) and duty lawyers (80 sessions)"
        " are fully booked: no time is left for a 12-minute session"
    )


def _day(**people: tuple[Person, ...]) -> Resources:
    window = (span(DAY, "09:00", "11:00"),)
    return Resources(
        3,
        (Room("R1", RoomKind.REMOTE_INTERROGATION, window),),
        prosecutors=people.get("prosecutors", (Person("P1", Role.PROSECUTOR, window),)),
        lawyers=people.get("lawyers", (Person("L1", Role.LAWYER, window),)),
        interpreters=people.get("interpreters", (Person("I1", Role.INTERPRETER, window, ("ug",)),)),
    )


@pytest.mark.parametrize(
    ("request_", "resources", "code", "reason"),
    [
        (
            SessionRequest("Q", "案", "S", 20, interpreter_language="kk"),
            _day(),
            "no_interpreter",
            "no interpreter speaks kk",
        ),
        (
            SessionRequest("Q", "案", "S", 119),
            _day(),
            "room_too_short",
            "no room is open for 122 minutes at a stretch (119 minutes of session and 3 of"
            " change-over)",
        ),
        (
            SessionRequest("Q", "案", "S", 30, prosecutor="P2"),
            _day(prosecutors=(Person("P2", Role.PROSECUTOR, (span(DAY, "09:00", "09:20"),)),)),
            "prosecutor_unavailable",
            "prosecutor P2 is never available for 30 minutes at a stretch",
        ),
        (
            SessionRequest("Q", "案", "S", 30),
            _day(lawyers=()),
            "no_lawyer",
            "no duty lawyer is available for 30 minutes",
        ),
        (
            SessionRequest("Q", "案", "S", 30),
            _day(lawyers=(Person("L1", Role.LAWYER, (span(DAY, "14:00", "16:00"),)),)),
            "never_together",
            "the rooms, suspect S, prosecutors and duty lawyers are never available at the same"
            " time for 30 minutes",
        ),
    ],
)
def test_a_request_that_can_never_fit_is_explained(request_, resources, code, reason):
    plan = planner.plan(resources, [request_])
    assert plan.bookings == ()
    assert [(u.code, u.reason) for u in plan.unplaced] == [(code, reason)]


def test_a_fully_booked_prosecutor_is_named():
    resources = _day(prosecutors=(Person("P1", Role.PROSECUTOR, (span(DAY, "09:00", "10:00"),)),))
    requests = [SessionRequest(f"Q{i}", "案", f"S{i}", 25, prosecutor="P1") for i in range(3)]
    plan = planner.plan(resources, requests)
    lawful(plan, resources, requests)
    assert len(plan.bookings) == 2
    assert [(u.request, u.code, u.reason) for u in plan.unplaced] == [
        (
            "Q2",
            "fully_booked",
            "the prosecutor P1 (2 sessions) is fully booked: no time is left for a 25-minute"
            " session",
        )
    ]


def test_the_interpreters_hour_goes_to_the_session_that_needs_it():
    window = (span(DAY, "09:00", "11:00"),)
    resources = Resources(
        3,
        (Room("R1", RoomKind.REMOTE_INTERROGATION, window),),
        prosecutors=(Person("P1", Role.PROSECUTOR, window),),
        lawyers=(Person("L1", Role.LAWYER, window),),
        interpreters=(Person("I1", Role.INTERPRETER, (span(DAY, "09:00", "09:40"),), ("ug",)),),
    )
    requests = [
        SessionRequest("A", "案1", "S1", 60),
        SessionRequest("B", "案2", "S2", 30, interpreter_language="ug"),
    ]
    plan = planner.plan(resources, requests)
    lawful(plan, resources, requests)
    assert [b.request for b in plan.bookings] == ["B", "A"]


def test_needs_free_at_different_times_are_named_with_their_free_hours():
    window = (span(DAY, "09:00", "11:00"),)
    rooms = tuple(Room(f"R{i}", RoomKind.REMOTE_INTERROGATION, window) for i in (1, 2))
    resources = Resources(
        3,
        rooms,
        prosecutors=(
            Person("P1", Role.PROSECUTOR, (span(DAY, "09:00", "09:40"),)),
            Person("P2", Role.PROSECUTOR, window),
        ),
        lawyers=(Person("L1", Role.LAWYER, window),),
        interpreters=(Person("I1", Role.INTERPRETER, (span(DAY, "09:00", "10:00"),), ("ug",)),),
    )
    requests = [
        SessionRequest("A", "案1", "S1", 40, prosecutor="P1"),  # holds the lawyer till 09:40
        SessionRequest("B", "案2", "S2", 45, interpreter_language="ug"),
    ]
    plan = planner.plan(resources, requests)
    lawful(plan, resources, requests)
    assert [(u.request, u.code, u.reason) for u in plan.unplaced] == [
        (
            "B",
            "not_together",
            "the duty lawyers and the interpreters for ug are never free together for 45 minutes"
            " (the duty lawyers are free 03-02 09:40–11:00; the interpreters for ug"
            " 03-02 09:00–10:00)",
        )
    ]


def test_repair_moves_a_flexible_session_to_make_room_for_a_fixed_one():
    resources = Resources(
        0,
        (Room("R1", RoomKind.REMOTE_INTERROGATION, (span(DAY, "09:00", "10:00"),)),),
        prosecutors=(
            Person("P1", Role.PROSECUTOR, (span(DAY, "09:00", "09:30"),)),
            Person("P2", Role.PROSECUTOR, (span(DAY, "09:00", "10:00"),)),
        ),
        lawyers=(Person("L1", Role.LAWYER, (span(DAY, "09:00", "10:00"),)),),
    )
    requests = [
        SessionRequest("F", "案1", "S1", 25),  # shorter, so the greedy pass books it first
        SessionRequest("U", "案2", "S2", 30, prosecutor="P1"),
    ]
    greedy = planner.plan(resources, requests, repair=False)
    assert [u.request for u in greedy.unplaced] == ["U"]
    repaired = planner.plan(resources, requests)
    lawful(repaired, resources, requests)
    assert [(b.request, b.start) for b in repaired.bookings] == [
        ("U", at(DAY, "09:00")),
        ("F", at(DAY, "09:30")),
    ]


def test_sessions_go_to_a_lawyer_already_working_that_day():
    window = (span(DAY, "09:00", "11:00"),)
    resources = Resources(
        3,
        (Room("R1", RoomKind.REMOTE_INTERROGATION, window),),
        prosecutors=(Person("P1", Role.PROSECUTOR, window),),
        lawyers=(Person("L1", Role.LAWYER, window), Person("L2", Role.LAWYER, window)),
    )
    requests = [SessionRequest(f"Q{i}", "案", f"S{i}", 12) for i in range(6)]
    plan = planner.plan(resources, requests)
    assert {b.lawyer for b in plan.bookings} == {"L1"}  # one allowance, not two


def test_with_scarce_people_the_planner_places_clearly_more_than_a_naive_first_fit():
    planned, naively = 0, 0
    for seed in range(1, 9):
        resources, requests = scenarios.scarce_day(seed)
        smart, simple = planner.plan(resources, requests), naive.first_fit(resources, requests)
        lawful(smart, resources, requests)
        lawful(simple, resources, requests)
        assert len(smart.bookings) >= len(simple.bookings), seed
        planned, naively = planned + len(smart.bookings), naively + len(simple.bookings)
    assert planned >= 1.2 * naively, (planned, naively)


def test_a_week_of_1000_requests_plans_within_a_second_of_cpu():
    resources, requests = scenarios.week(1000)
    started = time.process_time()
    plan = planner.plan(resources, requests)
    cpu = time.process_time() - started
    lawful(plan, resources, requests)
    assert len(plan.bookings) >= 980
    assert cpu < 1.5, cpu  # bench/bench_planner.py measures it; the margin absorbs a busy machine
    days = {b.start.date() for b in plan.bookings}
    assert days == {DAY + timedelta(days=d) for d in range(5)}
