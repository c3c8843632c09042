"""Nobody reaches a session they do not belong to: every route, as every kind of caller.

The access matrix books two sessions — S, held in centre A's room with PARTS, and T, in centre
B's with OTHER_PARTS — and calls every route as nobody, with an expired credential, with a
revoked one, as another centre's staff, in a role with no business there, as a party of T, and
as S's own party; each answer must be the one documented, and no refusal may change the store
or the files.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from people import OTHER_PARTS, PARTS, PASSWORD, add_people, environment, signed_in
from repo import REPO

from session import messages as m
from session.accounts.signin import LOCK_AFTER, token_sha256
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.machine import State, StateChanged, Step

DAY = "2026-12-07"
SIGNED_OUT = ("nobody", "expired", "revoked")


@pytest.fixture
async def hub(tmp_path):
    database = tmp_path / "hub.sqlite3"
    clock = HubClock()
    hub = Hub(
        Store(database), tmp_path / "recordings", clock, recorders=composite_recorders(),
        accounts=add_people(AccountStore(database)),
        audit=AuditTrail.in_folder(tmp_path / "audit", clock), sign_in_pause=0.001,
    )  # fmt: skip
    await hub.start()
    yield hub
    await hub.close()


async def callers(http, hub) -> dict[str, dict[str, str]]:
    """Each kind of caller's request headers."""
    expired = "expired-credential-of-prosecutor-1"
    account = hub.accounts.account("prosecutor-1")
    now = time.time()
    hub.accounts.add_credential(token_sha256(expired), account.id, now - 100, now - 1)
    revoked = await signed_in(http, hub.url, "prosecutor-1")
    async with http.post(f"{hub.url}/api/logout", headers=revoked) as r:
        assert r.status == 200
    people = {
        "other site": "staff-b",
        "wrong role": "admin-1",
        "other session's party": "prosecutor-2",
        "party": "prosecutor-1",
        "centre's staff": "staff-a",
        "clerk": "clerk-1",
    }
    return {
        "nobody": {},
        "expired": {"Authorization": f"Bearer {expired}"},
        "revoked": revoked,
        **{kind: await signed_in(http, hub.url, name) for kind, name in people.items()},
    }


def snapshot(hub) -> tuple[object, ...]:
    """What a refusal must not change: the sessions, steps and signatures, and the files."""
    with sqlite3.connect(hub.recordings_dir.parent / "hub.sqlite3") as db:
        tables = tuple(
            tuple(db.execute(f"SELECT * FROM {table} ORDER BY 1"))
            for table in ("sessions", "state_changes", "signatures")
        )
    folders = [hub.recordings_dir, hub.audit.folder]
    files = tuple(sorted(str(p) for f in folders if f.exists() for p in f.rglob("*")))
    trails = tuple(p.read_bytes() for p in sorted(hub.audit.folder.glob("*.jsonl"))
                   if p.name != "access.audit.jsonl")  # fmt: skip
    return tables, files, trails


#: Who gets what besides being refused, route by route (403 for every other signed-in caller).
ALLOWED = {
    "POST /api/sessions": {"party": 201, "centre's staff": 201},
    "GET /api/sessions/S": {"party": 200, "centre's staff": 200, "clerk": 200},
    "POST /api/sessions/S/join": {"party": 200},
}


def expected(route: str, caller: str) -> int:
    """The status ``route`` answers ``caller``."""
    if route.endswith("agreement"):
        return 403  # no caller here holds a join token: an account's credential is none
    if caller in SIGNED_OUT:
        return 401
    if route in ("GET /api/my/sessions", "GET /api/me"):
        return 200
    return ALLOWED[route].get(caller, 403)


async def call(http, hub, route: str, headers, session_id: str) -> aiohttp.ClientResponse:
    method, path = route.split(" ")
    path = path.replace("/S", f"/{session_id}")
    kwargs: dict = {"headers": headers}
    if route == "POST /api/sessions":
        kwargs["json"] = {"case_number": "C-matrix", "parties": PARTS, "day": DAY}
    elif route == "PUT /api/sessions/S/agreement":
        kwargs["data"] = b"%PDF-1.7\n"
    elif route == "GET /api/my/sessions":
        path += f"?day={DAY}"
    async with http.request(method, f"{hub.url}{path}", **kwargs) as answer:
        await answer.read()
        return answer


ROUTES = [
    "GET /api/sessions/S",
    "POST /api/sessions/S/join",
    "GET /api/my/sessions",
    "GET /api/me",
    "GET /api/sessions/S/agreement",
    "PUT /api/sessions/S/agreement",
    "POST /api/sessions",
]


async def test_the_access_matrix(hub, http):
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    t = await hub.create_session("C-T", assigned=OTHER_PARTS, day=DAY, site="centre-b")
    headers = await callers(http, hub)
    before = snapshot(hub)
    wrong = []
    answers = {}
    for route in ROUTES:
        for caller, given in headers.items():
            if expected(route, caller) >= 400:
                answer = await call(http, hub, route, given, s)
                answers[route, caller] = answer.status
                if answer.status != expected(route, caller):
                    wrong.append((route, caller, answer.status))
                elif answer.status != 200:
                    assert set(await answer.json()) == {"code", "message"}
    assert wrong == []
    assert snapshot(hub) == before, "a refusal changed the store or the files"
    assert hub.live(s) is None  # nothing refused woke the session
    # What the allowed callers get.
    for route in ROUTES:
        for caller, given in headers.items():
            if expected(route, caller) < 400:
                answer = await call(http, hub, route, given, s)
                if answer.status != expected(route, caller):
                    wrong.append((route, caller, answer.status))
    assert wrong == []
    listed = {}
    for caller in ("other site", "wrong role", "other session's party", "party", "clerk"):
        async with http.get(f"{hub.url}/api/my/sessions?day={DAY}", headers=headers[caller]) as r:
            listed[caller] = sorted(session["case_number"] for session in await r.json())
    assert listed == {
        "other site": ["C-T"], "wrong role": [], "other session's party": ["C-T"],
        "party": ["C-S", "C-matrix", "C-matrix"],
        "clerk": ["C-S", "C-T", "C-matrix", "C-matrix"],
    }  # fmt: skip
    assert t  # T exists for the other session's party


async def test_a_party_uses_its_join_token_and_nobody_elses(hub, http):
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    t = await hub.create_session("C-T", assigned=OTHER_PARTS, day=DAY, site="centre-b")
    own = {"Authorization": f"Bearer {hub.tokens.issue(s, 'prosecutor')}"}
    other = {"Authorization": f"Bearer {hub.tokens.issue(t, 'prosecutor')}"}
    url = f"{hub.url}/api/sessions/{s}/agreement"
    async with http.get(url, headers=other) as r:
        assert r.status == 403
    assert hub.live(s) is None
    async with http.put(url, data=b"%PDF-1.7\n", headers=own) as r:
        assert r.status == 200


@pytest.mark.parametrize("token", ["令牌", "x" * 10_000, "\x00", "é" * 64, "0" * 64])
async def test_odd_tokens_are_refused_not_crashed_on(hub, http, token):
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    ws = await http.ws_connect(f"{hub.url}/ws/sessions/{s}")
    await ws.send_str(m.Join("prosecutor", token).to_json())
    refusal = m.parse((await ws.receive()).data)
    assert isinstance(refusal, m.Refused) and refusal.code == "bad_token"
    await ws.close()
    assert hub.live(s) is None and not hub.audit.path(s).exists()
    if not token.isprintable():
        return  # no client sends a control character in a header
    header = token.encode("utf-8").decode("latin-1")  # what a client puts on the wire
    for method, path in (("GET", "/api/me"), ("GET", f"/api/sessions/{s}/agreement")):
        async with http.request(
            method, f"{hub.url}{path}", headers={"Authorization": f"Bearer {header}"}
        ) as r:
            # 400: a header longer than aiohttp reads (8 KiB), refused before any route.
            assert r.status in (400, 401, 403), (path, r.status)


async def login(http, hub, username: str, password: str) -> aiohttp.ClientResponse:
    body = {"username": username, "password": password}
    async with http.post(f"{hub.url}/api/login", json=body) as answer:
        await answer.read()
        return answer


async def test_repeated_wrong_passwords_lock_the_account(hub, http):
    for _ in range(LOCK_AFTER):
        answer = await login(http, hub, "lawyer-1", "wrong password!")
        assert answer.status == 401
    locked = await login(http, hub, "lawyer-1", PASSWORD)  # even the right one, for a while
    assert locked.status == 423 and "锁定" in (await locked.json())["message"]
    assert (await login(http, hub, "lawyer-2", PASSWORD)).status == 200  # the others are not
    unknown = await login(http, hub, "nobody-at-all", "wrong password!")
    assert unknown.status == 401
    assert (await unknown.json()) == (await (await login(http, hub, "lawyer-2", "x" * 9)).json())
    trail = [json.loads(line) for line in hub.audit.path("access").read_text().splitlines()]
    failed = [e for e in trail if e["event"] == "sign_in_failed" and e["actor"] == "lawyer-1"]
    assert len(failed) == LOCK_AFTER and failed[-1]["details"]["locked"] is True


async def test_refusals_slow_down_with_each_failure(hub, http):
    hub.sign_in._first_pause = 0.1
    times = []
    for _ in range(3):
        started = time.monotonic()
        await login(http, hub, "lawyer-1", "wrong password!")
        times.append(time.monotonic() - started)
    assert times[0] >= 0.1 and times[1] >= 0.2 and times[2] >= 0.4


async def test_a_disabled_account_is_refused_and_its_credentials_stop(hub, http):
    headers = await signed_in(http, hub.url, "lawyer-1")
    hub.accounts.set_disabled("lawyer-1", True)
    async with http.get(f"{hub.url}/api/me", headers=headers) as r:
        assert r.status == 401
    answer = await login(http, hub, "lawyer-1", PASSWORD)
    assert answer.status == 401 and (await answer.json())["code"] == "disabled"


async def test_odd_sign_in_bodies_are_refused_in_words(hub, http):
    for body in (b"", b"{}", b"[]", b'{"username": 1, "password": 2}', b"x" * 100_000):
        async with http.post(f"{hub.url}/api/login", data=body) as r:
            assert r.status == 400 and "username" in (await r.json())["message"]


async def test_no_password_or_token_reaches_the_logs_or_the_trail(hub, http, caplog):
    caplog.set_level("DEBUG")
    headers = await signed_in(http, hub.url, "prosecutor-1")
    token = headers["Authorization"].removeprefix("Bearer ")
    await login(http, hub, "prosecutor-1", "a wrong password")
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    async with http.post(f"{hub.url}/api/sessions/{s}/join", headers=headers) as r:
        join = (await r.json())["token"]
    written = caplog.text + "".join(p.read_text() for p in hub.audit.folder.glob("*.jsonl"))
    for secret in (PASSWORD, "a wrong password", token, join):
        assert secret not in written


async def test_a_scripted_stations_command_line_carries_no_secret(hub, http):
    """A station process reads its account from the environment: ``ps`` shows no secret."""
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    command = [sys.executable, "-m", "desktop.cli.main", "station", "--hub", hub.url,
               "--session", s, "--headless", "--script", "60", "--case", "C-S",
               "--synthetic"]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, env={**os.environ, **environment("lawyer-1")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):  # until the station has joined: its join token exists then
            live = hub.live(s)
            if live is not None and "lawyer" in live.sockets:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the station never joined")
        shown = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert PASSWORD not in shown and hub.tokens.issue(s, "lawyer") not in shown
    finally:
        process.kill()
        await process.wait()


async def test_a_bad_join_to_an_interrupted_session_wakes_no_recorder(hub, http):
    s = await hub.create_session("C-S", assigned=PARTS, day=DAY, site="centre-a")
    for previous, state, step in (
        (State.SCHEDULED, State.ROOM_READY, Step.ROOM_READY),
        (State.ROOM_READY, State.RECORDING, Step.START_RECORDING),
        (State.RECORDING, State.INTERRUPTED, Step.INTERRUPT),
    ):
        hub.store.add_state_change(s, StateChanged(previous, state, step, "hub", 1.0))
    ws = await http.ws_connect(f"{hub.url}/ws/sessions/{s}")
    await ws.send_str(m.Join("lawyer", "a token of nobody's").to_json())
    refusal = m.parse((await ws.receive()).data)
    await ws.close()
    assert isinstance(refusal, m.Refused) and refusal.code == "bad_token"
    assert hub.live(s) is None
    assert not hub.recordings_dir.exists() or not any(hub.recordings_dir.iterdir())
    assert not hub.audit.path(s).exists()
