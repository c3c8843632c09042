"""After a session closes: the hub lets it go once its stations have left, and no station can
join it again (which would start a second recording of a finished session)."""

from __future__ import annotations

import aiohttp
from livecall import until, walk_to_hearing

from session import messages as m
from session.hub import server as hub_module


async def test_a_closed_session_is_let_go_when_its_stations_leave_and_stays_closed(
    live_call, monkeypatch
):
    monkeypatch.setattr(hub_module, "KEEP_FINISHED", 0)  # let it go at once
    hub, session_id, stations = live_call
    prosecutor = stations["prosecutor"]
    await walk_to_hearing(prosecutor)
    for step in ("decline_agreement", "close"):
        await prosecutor.request_step(step)
    await prosecutor.wait_for_state(lambda s: s == "closed", 20)
    live = hub.live(session_id)
    for station in stations.values():
        await station.leave()
    await until(lambda: hub.live(session_id) is None)
    assert live.recorder_peers == {}  # its media released
    assert live.recording_info is not None and live.recording_info.path.exists()

    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}")
        await ws.send_str(m.Join("suspect", hub.tokens.issue(session_id, "suspect")).to_json())
        refusal = m.parse((await ws.receive()).data)
    assert isinstance(refusal, m.Refused) and refusal.code == "session_closed"
    assert hub.live(session_id) is None
