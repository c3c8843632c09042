"""Reports: room use per day, duty-lawyer days and allowance, sessions held and signed, CSV."""

from __future__ import annotations

import csv
import io as text_io
from datetime import date

from session.hub.store import Store
from session.machine import State, StateChanged, Step
from session.scheduling import planner, reports, scenarios
from session.scheduling.store import ScheduleStore

DAY = scenarios.DAY


def test_the_design_day_uses_four_fifths_of_every_room_and_ten_lawyer_days():
    resources, requests = scenarios.tight_day()
    report = reports.make_report(resources, planner.plan(resources, requests).bookings)
    assert len(report.rooms) == 10
    assert {
        (r.sessions, r.session_minutes, r.open_minutes, r.utilisation) for r in report.rooms
    } == {(8, 96, 120, 0.8)}
    assert len(report.lawyers) == 10 and {d.sessions for d in report.lawyers} == {8}
    assert report.allowance_total == 2000
    assert report.days == (reports.DaySummary(DAY, 80, 0, 0, 0.0),)


def test_a_lawyer_is_paid_once_per_day_however_many_sessions():
    resources, requests = scenarios.week(200)
    plan = planner.plan(resources, requests)
    days = reports.lawyer_days(plan.bookings)
    per_day = {(d.day, d.lawyer) for d in days}
    assert len(per_day) == len(days)
    assert sum(d.sessions for d in days) == len(plan.bookings)
    assert {d.allowance for d in days} == {200}


def test_sessions_held_and_signed_come_from_the_hub(tmp_path):
    resources, requests = scenarios.tight_day()
    plan = planner.plan(resources, requests)
    path = tmp_path / "hub.sqlite3"
    store = ScheduleStore(path)
    store.save_plan(resources, requests, plan)
    hub = Store(path)
    for i, booking in enumerate(plan.bookings[:3]):
        store.link_session(booking.request, f"s{i}")
        states = [State.RECORDING, State.SIGNED, State.CLOSED] if i < 2 else [State.RECORDING]
        for minute, state in zip((0, 10 + i * 2, 14 + i * 2), states, strict=False):
            hub.add_state_change(
                f"s{i}", StateChanged(State.ROOM_READY, state, Step.CLOSE, "hub", minute * 60.0)
            )
    hub.close()
    report = reports.make_report(resources, store.bookings())
    store.close()
    (day,) = report.days
    assert (day.booked, day.held, day.signed) == (80, 3, 2)
    assert day.average_minutes == round((14 + 16 + 0) / 3, 1)


def test_reports_export_as_csv_with_a_header():
    resources, requests = scenarios.tight_day()
    report = reports.make_report(resources, planner.plan(resources, requests).bookings)
    out = text_io.StringIO()
    reports.write_csv(report.rooms, reports.RoomDay, out)
    rows = list(csv.DictReader(text_io.StringIO(out.getvalue())))
    assert len(rows) == 10
    assert rows[0] == {
        "day": date(2026, 3, 2).isoformat(),
        "room": "R01",
        "sessions": "8",
        "session_minutes": "96",
        "open_minutes": "120",
        "utilisation": "0.8",
    }
