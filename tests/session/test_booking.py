"""Booking a session, reading it and joining it, as the accounts that may."""

from __future__ import annotations

import aiohttp
import pytest
from people import OTHER_PARTS, PARTS, add_people, signed_in
from repo import DAY_EXAMPLE

from session import messages as m
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.scheduling.io import load_input
from session.scheduling.planner import plan
from session.scheduling.store import ScheduleStore, custody_times

CASE = "京朝检刑认〔2026〕7号"
DAY = "2026-12-07"


def make_hub(tmp_path, schedule: ScheduleStore | None = None) -> Hub:
    database = tmp_path / "hub.sqlite3"
    clock = HubClock()
    return Hub(
        Store(database), tmp_path / "recordings", clock, recorders=composite_recorders(),
        accounts=add_people(AccountStore(database)), schedule=schedule,
        audit=AuditTrail.in_folder(tmp_path / "audit", clock), sign_in_pause=0.001,
    )  # fmt: skip


@pytest.fixture
async def hub(tmp_path):
    hub = make_hub(tmp_path)
    await hub.start()
    yield hub
    await hub.close()


async def book(http, hub, as_user: str, parts=PARTS, **extra) -> aiohttp.ClientResponse:
    body = {"case_number": CASE, "parties": parts, "day": DAY, **extra}
    headers = await signed_in(http, hub.url, as_user)
    async with http.post(f"{hub.url}/api/sessions", json=body, headers=headers) as answer:
        await answer.read()
        return answer


async def test_staff_book_a_session_naming_each_partys_account_and_get_no_tokens(hub, http):
    answer = await book(http, hub, "staff-a")
    assert answer.status == 201
    booked = await answer.json()
    assert set(booked) == {"session_id", "day"} and booked["day"] == DAY
    headers = await signed_in(http, hub.url, "staff-a")
    async with http.get(f"{hub.url}/api/sessions/{booked['session_id']}", headers=headers) as r:
        record = await r.json()
    assert record["case_number"] == CASE and record["states"] == ["scheduled"]
    assert {role: p["username"] for role, p in record["parties"].items()} == PARTS
    assert record["site"] == "centre-a" and record["signed"] == []
    assert "recording" not in record and "signatures" not in record
    trail = (hub.audit.path(booked["session_id"])).read_text()
    assert '"event":"booked"' in trail and '"actor":"staff-a"' in trail


async def test_each_party_gets_its_own_join_and_only_its_own(hub, http):
    session_id = (await (await book(http, hub, "staff-a")).json())["session_id"]
    for role, username in PARTS.items():
        headers = await signed_in(http, hub.url, username)
        async with http.post(f"{hub.url}/api/sessions/{session_id}/join", headers=headers) as r:
            join = await r.json()
        assert join["role"] == role and hub.tokens.check(session_id, role, join["token"])
    headers = await signed_in(http, hub.url, "staff-a")  # may read it, takes no part
    async with http.post(f"{hub.url}/api/sessions/{session_id}/join", headers=headers) as r:
        assert r.status == 403 and (await r.json())["code"] == "not_a_party"


async def test_a_party_lists_its_sessions_of_the_day(hub, http):
    session_id = (await (await book(http, hub, "staff-a")).json())["session_id"]
    await book(http, hub, "staff-b", OTHER_PARTS)
    headers = await signed_in(http, hub.url, "prosecutor-1")
    async with http.get(f"{hub.url}/api/my/sessions?day={DAY}", headers=headers) as r:
        mine = await r.json()
    assert [(s["id"], s["role"]) for s in mine] == [(session_id, "prosecutor")]
    assert mine[0]["parties"]["suspect"]["room"] == "A1"
    async with http.get(f"{hub.url}/api/my/sessions?day=2026-12-08", headers=headers) as r:
        assert await r.json() == []
    async with http.get(f"{hub.url}/api/my/sessions?day=tomorrow", headers=headers) as r:
        assert r.status == 400


async def test_a_prosecutor_books_their_own_case_and_no_one_elses(hub, http):
    assert (await book(http, hub, "prosecutor-1")).status == 201
    answer = await book(http, hub, "prosecutor-2")
    assert answer.status == 403 and (await answer.json())["code"] == "not_your_case"


@pytest.mark.parametrize(
    ("as_user", "parts", "status", "code"),
    [
        ("staff-b", PARTS, 403, "other_site"),  # a room of another centre
        ("lawyer-1", PARTS, 403, "wrong_role"),
        ("clerk-1", PARTS, 403, "wrong_role"),
        ("staff-a", {**PARTS, "suspect": "staff-a"}, 400, "bad_account"),  # a person as terminal
        ("staff-a", {**PARTS, "lawyer": "nobody"}, 400, "bad_account"),
        ("staff-a", {"suspect": "room-a1", "prosecutor": "prosecutor-1"}, 400, "bad_parties"),
        ("staff-a", {**PARTS, "interpreter": "lawyer-1"}, 400, "bad_account"),
    ],
)
async def test_a_booking_that_may_not_be_made_is_refused_and_makes_nothing(
    hub, http, as_user, parts, status, code
):
    answer = await book(http, hub, as_user, parts)
    assert answer.status == status and (await answer.json())["code"] == code
    assert hub.store.sessions_on(DAY) == []


async def test_a_minors_session_needs_the_guardian_booked(hub, http):
    answer = await book(http, hub, "staff-a", minor=True)
    assert answer.status == 400 and "guardian" in (await answer.json())["message"]
    answer = await book(http, hub, "staff-a", {**PARTS, "guardian": "guardian-1"}, minor=True)
    assert answer.status == 201


async def test_bad_booking_bodies_are_refused_in_words(hub, http):
    headers = await signed_in(http, hub.url, "staff-a")
    for body in ("{}", "[]", "not json", '{"case_number": "C", "parties": ["suspect"]}'):
        async with http.post(f"{hub.url}/api/sessions", data=body, headers=headers) as r:
            refusal = await r.json()
            assert r.status == 400 and "case_number" in refusal["message"]
    assert hub.store.sessions_on(DAY) == []


async def test_a_schedule_booking_is_linked_once_and_keeps_its_custody_times(tmp_path, http):
    database = tmp_path / "hub.sqlite3"
    schedule = ScheduleStore(database)
    resources, requests = load_input(DAY_EXAMPLE)
    schedule.save_plan(resources, requests, plan(resources, requests))
    booked = schedule.bookings()[0].booking.request
    hub = make_hub(tmp_path, schedule)
    await hub.start()
    try:
        answer = await book(http, hub, "staff-a", booking="NO-SUCH-REQUEST")
        assert answer.status == 400 and (await answer.json())["code"] == "not_booked"
        session_id = (await (await book(http, hub, "staff-a", booking=booked)).json())["session_id"]
        brought_in = schedule.take_out(booked, officer="民警甲")
        # Linking the same booking to a second session would take its 提押/还押 record along.
        again = await book(http, hub, "staff-a", booking=booked)
        assert again.status == 409 and (await again.json())["code"] == "booking_linked"
        assert [s.id for s in hub.store.sessions_on(DAY)] == [session_id]
        custody = custody_times(database, session_id)
        assert custody is not None and custody.taken_out_at == brought_in
    finally:
        await hub.close()


async def test_a_station_joins_with_the_token_its_account_was_given(hub, http):
    session_id = (await (await book(http, hub, "staff-a")).json())["session_id"]
    headers = await signed_in(http, hub.url, "lawyer-1")
    async with http.post(f"{hub.url}/api/sessions/{session_id}/join", headers=headers) as r:
        join = await r.json()
    ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}")
    await ws.send_str(m.Join(join["role"], join["token"]).to_json())
    welcome = m.parse((await ws.receive()).data)
    assert isinstance(welcome, m.Welcome) and welcome.role == "lawyer"
    await ws.close()
