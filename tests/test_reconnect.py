"""A station that loses the hub joins again; the session is interrupted, then resumed."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from session.clocksync import StationClock
from session.hub import Hub
from session.network import restrict_media_addresses
from session.runner import synthetic_tracks
from session.station import Station
from session.store import Store

pytestmark = pytest.mark.e2e
ROLES = ("suspect", "prosecutor", "lawyer")


async def packets_from(station: Station, peer: str) -> int:
    pc = station.mesh.peers.get(peer)
    if pc is None:
        return 0
    report = await pc.getStats()
    return sum(s.packetsReceived for s in report.values() if s.type == "inbound-rtp")


@pytest.fixture
async def session(tmp_path):
    restrict_media_addresses()
    hub = Hub(Store(":memory:"), tmp_path / "recordings")
    url = await hub.start()
    session_id = await hub.create_session("C-reconnect")
    stations = {}
    for role in ROLES:
        clock = StationClock()
        token = hub.tokens.issue(session_id, role)
        tracks = synthetic_tracks(role, clock)
        stations[role] = Station(url, session_id, role, token, tracks, clock=clock)
    tasks = [asyncio.create_task(s.run()) for s in stations.values()]
    try:
        yield hub, session_id, stations
    finally:
        for station in stations.values():
            await station.leave()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 10)
        await hub.close()


async def test_a_dropped_suspect_rejoins_media_flows_again_and_the_session_resumes(session):
    hub, session_id, stations = session
    prosecutor = stations["prosecutor"]
    await prosecutor.wait_for_state(lambda s: s == "recording", 30)
    for step in ("announce", "notify_rights", "begin_hearing"):
        await prosecutor.request_step(step)
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)

    dropped_at = time.monotonic()
    await hub.live(session_id).sockets["suspect"].close()  # the suspect's line breaks
    await prosecutor.wait_for_state(lambda s: s == "interrupted", 10)
    while await packets_from(prosecutor, "suspect") == 0:
        assert time.monotonic() - dropped_at < 5.0, "media did not flow again within 5 s"
        await asyncio.sleep(0.05)
    print(f"media again {time.monotonic() - dropped_at:.2f} s after the drop")

    await prosecutor.request_step("resume")
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)
    changes = hub.live(session_id).machine.history
    interruption = next(c for c in changes if c.state.value == "interrupted")
    assert interruption.reason == "suspect disconnected"
    assert [c.state.value for c in changes[-2:]] == ["interrupted", "hearing"]
