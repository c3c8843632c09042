"""The demo's schedule: one booking for the demo case, and its 提押/还押 registered as staff do.

The schedule's tables live in the hub's database file, so the session the hub creates for the
booking is linked to it, as in the detention centre's day view. The demo registers 提押 before
the session and 还押 after it through the same store calls as the day view's buttons, and the
close-out (:func:`session.closeout.custody_record`) reads the record back for the recording
statement: its custody times are what detention staff registered, never the session's steps.

The schedule keeps the detention centre's local time; for the demo that is Beijing time,
whatever the machine's own zone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from desktop.demo.accounts import PARTS, Login
from documents.samples.case import DEMO_DETENTION_CENTRE, DEMO_PLACES, demo_staff
from documents.statement import BEIJING
from session.scheduling import planner
from session.scheduling.model import (
    Interval,
    Person,
    Resources,
    Role,
    Room,
    RoomKind,
    SessionRequest,
    Site,
    SiteKind,
)
from session.scheduling.store import ScheduleStore
from session.station.hub_client import sign_in
from session.tls import client_context

#: The demo's one session request, booked in the schedule.
REQUEST_ID = "DEMO-1"
BOOKED_MINUTES = 30


def beijing_now() -> datetime:
    """The detention centre's wall clock: Beijing time, naive, as the schedule keeps it."""
    return datetime.now(BEIJING).replace(tzinfo=None)


def demo_schedule(
    database: Path, case_number: str, clock: Callable[[], datetime] = beijing_now
) -> ScheduleStore:
    """The schedule in ``database`` with the demo case booked in a room from about now."""
    now = clock().replace(second=0, microsecond=0)
    today = (Interval(now, now + timedelta(hours=2)),)
    centre = Site("KSS", SiteKind.DETENTION_CENTRE, DEMO_DETENTION_CENTRE)
    room = Room("R01", RoomKind.REMOTE_INTERROGATION, today, centre.id, DEMO_PLACES["suspect"])
    resources = Resources(
        changeover_minutes=5,
        rooms=(room,),
        prosecutors=(Person("P01", Role.PROSECUTOR, today),),
        lawyers=(Person("L01", Role.LAWYER, today),),
        sites=(centre,),
    )
    requests = [SessionRequest(REQUEST_ID, case_number, "X01", BOOKED_MINUTES)]
    plan = planner.plan(resources, requests)
    if plan.booking(REQUEST_ID) is None:
        raise RuntimeError(f"the demo session could not be booked: {plan.unplaced}")
    store = ScheduleStore(database, clock)
    # Each demo run plans its own day afresh, over an earlier run's in the same folder.
    store.save_plan(resources, requests, plan, discard_record=True)
    return store


async def book_session(hub_url: str, ca: Path, case_number: str, staff: Login) -> str:
    """Create the booked session at the hub as the scheduling desk does, signed in as the
    detention centre's staff; return its id.

    ``POST /api/sessions`` names each party's account and the booking, so the hub links its
    session to it.
    """
    body = {"case_number": case_number, "booking": REQUEST_ID, "parties": PARTS}
    tls = client_context(ca)
    async with aiohttp.ClientSession() as http:
        credential = await sign_in(http, hub_url, staff.username, staff.password, tls)
        headers = {"Authorization": f"Bearer {credential}"}
        async with http.post(
            f"{hub_url}/api/sessions", json=body, headers=headers, ssl=tls
        ) as answer:
            if answer.status != 201:
                raise RuntimeError(f"the hub refused the booking: {await answer.text()}")
            return str((await answer.json())["session_id"])


async def book_and_bring_in(
    schedule: ScheduleStore, hub_url: str, ca: Path, case_number: str, staff: Login
) -> tuple[str, str]:
    """Book the session at the hub and register the suspect brought in (提押) by the demo's
    custody officer, as the day view's button does; return the session id and the officer."""
    session_id = await book_session(hub_url, ca, case_number, staff)
    officer = demo_staff(case_number, session_id)["custody_officer"]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, schedule.take_out, REQUEST_ID, officer)
    return session_id, officer
