"""The hub over real sockets on 127.0.0.1: joining, refusals, bad input, the session's record."""

from __future__ import annotations

import json

import aiohttp
import pytest

from session import messages as m
from session.hub import Hub
from session.store import Store


@pytest.fixture
async def hub(tmp_path):
    hub = Hub(Store(tmp_path / "hub.sqlite3"), tmp_path / "recordings")
    await hub.start("127.0.0.1", 0)
    yield hub
    await hub.close()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def join(http, hub, session_id: str, role: str):
    ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}")
    await ws.send_str(m.Join(role).to_json())
    return ws, m.parse((await ws.receive()).data)


async def test_a_session_is_scheduled_over_http_and_reported(hub, http):
    async with http.post(
        f"{hub.url}/api/sessions", json={"case_number": "京朝检刑认〔2026〕7号"}
    ) as r:
        assert r.status == 201
        session_id = (await r.json())["session_id"]
    async with http.get(f"{hub.url}/api/sessions/{session_id}") as r:
        record = await r.json()
    assert record["case_number"] == "京朝检刑认〔2026〕7号"
    assert record["state"] == "scheduled"
    assert record["states"] == ["scheduled"]


async def test_scheduling_without_a_case_number_is_refused(hub, http):
    async with http.post(f"{hub.url}/api/sessions", data="{}") as r:
        assert r.status == 400
        assert "case_number" in await r.text()


async def test_parties_join_by_role_and_see_who_is_present(hub, http):
    session_id = await hub.create_session("C-1")
    suspect, welcome = await join(http, hub, session_id, "suspect")
    assert welcome == m.Welcome(session_id, "suspect", "scheduled", [])
    lawyer, welcome = await join(http, hub, session_id, "lawyer")
    assert welcome.present == ["suspect"]
    assert m.parse((await suspect.receive()).data) == m.PeerJoined("lawyer")
    await lawyer.close()
    assert m.parse((await suspect.receive()).data) == m.PeerLeft("lawyer")
    await suspect.close()


async def test_a_role_already_connected_is_refused(hub, http):
    session_id = await hub.create_session("C-2")
    first, _ = await join(http, hub, session_id, "suspect")
    second, refusal = await join(http, hub, session_id, "suspect")
    assert refusal == m.Refused("role_taken", "the suspect is already connected")
    await first.close()
    await second.close()


async def test_an_unknown_session_is_refused(hub, http):
    _, refusal = await join(http, hub, "no-such-session", "suspect")
    assert isinstance(refusal, m.Refused) and refusal.code == "unknown_session"


async def test_a_malformed_message_is_refused_and_the_station_stays_connected(hub, http):
    session_id = await hub.create_session("C-3")
    ws, _ = await join(http, hub, session_id, "prosecutor")
    await ws.send_str('{"type": "request_step"}')
    refusal = m.parse((await ws.receive()).data)
    assert isinstance(refusal, m.Refused) and refusal.code == "bad_message"
    await ws.send_str(m.RequestStep("announce").to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal.code == "illegal_step"  # still connected, and the session is unchanged
    await ws.close()


async def test_an_oversized_message_closes_the_connection(hub, http):
    session_id = await hub.create_session("C-4")
    ws, _ = await join(http, hub, session_id, "prosecutor")
    await ws.send_str(json.dumps({"type": "request_step", "step": "x" * (m.MAX_MESSAGE_BYTES + 1)}))
    message = await ws.receive()
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_step_by_the_wrong_role_is_refused_in_words(hub, http):
    session_id = await hub.create_session("C-5")
    ws, _ = await join(http, hub, session_id, "suspect")
    await ws.send_str(m.RequestStep("close").to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal == m.Refused("wrong_role", "the suspect may not close")
    await ws.close()


async def test_a_signature_outside_signing_is_refused_and_not_stored(hub, http):
    session_id = await hub.create_session("C-6")
    ws, _ = await join(http, hub, session_id, "suspect")
    strokes = {"role": "suspect", "width": 100, "height": 50, "strokes": [[[1, 1, 0, 0.5]]]}
    await ws.send_str(m.SubmitSignature(strokes).to_json())
    refusal = m.parse((await ws.receive()).data)
    assert refusal.code == "not_signing"
    assert hub.store.signatures(session_id) == {}
    await ws.close()
