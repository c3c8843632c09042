"""``pleadesk schedule``: plan a day of sessions, report on it, and open the day view.

    pleadesk schedule plan --requests FILE.json --out PLAN.json [--naive] [--db FILE]
    pleadesk schedule report --requests FILE.json --plan PLAN.json [--db FILE] [--csv DIR]
    pleadesk schedule day --db FILE [--requests FILE.json --plan PLAN.json] [--day YYYY-MM-DD]

Files are described in ``session/scheduling/SCHEMA.md``. A file that cannot be used ends the
command with status 2 and a message naming the file and the field.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from session.scheduling import io


def register(commands: Any) -> None:
    """Add ``schedule`` and its subcommands to the ``pleadesk`` subparsers."""
    schedule = commands.add_parser("schedule", help="plan rooms and sessions for a day or week")
    actions = schedule.add_subparsers(dest="schedule_command", required=True)

    plan = actions.add_parser("plan", help="place the requests in rooms with people")
    plan.add_argument("--requests", type=Path, required=True, help="planner input (JSON)")
    plan.add_argument("--out", type=Path, required=True, help="where to write the plan (JSON)")
    plan.add_argument("--naive", action="store_true", help="use the naive first-fit, to compare")
    plan.add_argument("--db", type=Path, help="also make this the plan worked in the store")
    plan.set_defaults(run=run_plan)

    report = actions.add_parser("report", help="room use, lawyer days, sessions held and signed")
    report.add_argument("--requests", type=Path, help="planner input (default: from --db)")
    report.add_argument("--plan", type=Path, help="a plan file (default: bookings from --db)")
    report.add_argument("--db", type=Path, help="the schedule store, for what was held and signed")
    report.add_argument("--csv", type=Path, metavar="DIR", help="write rooms/lawyers/days.csv")
    report.set_defaults(run=run_report)

    day = actions.add_parser("day", help="open the day view for staff")
    day.add_argument("--db", type=Path, required=True, help="the schedule store (SQLite)")
    day.add_argument("--requests", type=Path, help="planner input to load with --plan")
    day.add_argument("--plan", type=Path, help="a plan to load into the store first")
    day.add_argument("--day", type=date.fromisoformat, help="the day to show (YYYY-MM-DD)")
    day.add_argument("--officer", default="", help="the officer recording 提押/还押")
    day.set_defaults(run=run_day)


def _fail(message: str) -> int:
    print(f"pleadesk schedule: {message}", file=sys.stderr)
    return 2


def run_plan(args: argparse.Namespace) -> int:
    """Plan the requests and write the plan; print what was placed and why the rest was not."""
    from session.scheduling import naive, planner

    try:
        resources, requests = io.load_input(args.requests)
    except io.ScheduleInputError as error:
        return _fail(f"{args.requests}: {error}")
    made = (naive.first_fit if args.naive else planner.plan)(resources, requests)
    try:
        io.write_json(args.out, io.plan_to_json(made))
    except OSError as error:
        return _fail(f"cannot write {args.out}: {error.strerror}")
    if args.db is not None:
        from session.scheduling.store import CustodyError, ScheduleStore

        store = ScheduleStore(args.db)
        try:
            store.save_plan(resources, requests, made)
        except CustodyError as error:
            return _fail(f"{args.db}: {error}")
        finally:
            store.close()
    print(f"placed {len(made.bookings)} of {len(requests)} requests; plan in {args.out}")
    for unplaced in made.unplaced:
        print(f"  not placed {unplaced.request}: {unplaced.reason}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Print the reports and write them as CSV."""
    from session.scheduling import reports
    from session.scheduling.store import ScheduleStore

    try:
        stored, inputs = None, None
        if args.db is not None:
            store = ScheduleStore(args.db)
            stored, inputs = store.bookings(), store.inputs()
            store.close()
        if args.requests is not None:
            inputs = io.load_input(args.requests)
        if inputs is None:
            return _fail("give --requests (or a --db that holds a plan)")
        bookings: Any = io.load_plan(args.plan).bookings if args.plan else stored
        if bookings is None:
            return _fail("give --plan or --db")
    except io.ScheduleInputError as error:
        return _fail(str(error))
    report = reports.make_report(inputs[0], bookings)
    for day in report.days:
        print(
            f"{day.day}: {day.booked} booked, {day.held} held, {day.signed} signed,"
            f" {day.average_minutes} min on average"
        )
    for row in report.rooms:
        print(f"  {row.day} {row.room}: {row.sessions} sessions, {row.utilisation:.0%} used")
    for lawyer in report.lawyers:
        print(f"  {lawyer.day} {lawyer.lawyer}: {lawyer.sessions} sessions")
    print(f"duty-lawyer allowance: {report.allowance_total} yuan")
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        tables = (
            ("rooms", report.rooms, reports.RoomDay),
            ("lawyers", report.lawyers, reports.LawyerDay),
            ("days", report.days, reports.DaySummary),
        )
        for name, rows, kind in tables:
            with (args.csv / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
                reports.write_csv(rows, kind, out)
    return 0


def run_day(args: argparse.Namespace) -> int:
    """Open the day view on the store (loading a plan into it first if given)."""
    from session.scheduling.store import CustodyError, ScheduleStore

    store = ScheduleStore(args.db)
    try:
        if args.plan is not None:
            if args.requests is None:
                raise io.ScheduleInputError("", "--plan needs --requests")
            resources, requests = io.load_input(args.requests)
            store.save_plan(resources, requests, io.load_plan(args.plan))
        if store.inputs() is None:
            raise io.ScheduleInputError(
                "", f"{args.db} holds no plan yet: give --requests and --plan"
            )
    except (io.ScheduleInputError, CustodyError) as error:
        store.close()
        return _fail(str(error))
    from desktop.application import make_application
    from desktop.schedule.day_view import DayView
    from desktop.schedule.day_view_model import DayViewModel

    app = make_application()
    window = DayView(DayViewModel(store, args.day, args.officer))
    window.show()
    code = app.exec()
    store.close()
    return code
