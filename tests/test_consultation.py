"""Private consultation over real WebRTC: the prosecutor's station is cut off both ways."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from session.clocksync import StationClock
from session.hub import Hub
from session.machine import shut_out
from session.network import restrict_media_addresses
from session.runner import synthetic_tracks
from session.station import Station
from session.store import Store

pytestmark = pytest.mark.e2e
ROLES = ("suspect", "prosecutor", "lawyer")


async def received(station: Station, peer: str) -> int:
    """RTP packets that reached ``station`` from ``peer`` over the network."""
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
    session_id = await hub.create_session("C-consult")
    stations = {}
    for role in ROLES:
        clock = StationClock()
        token = hub.tokens.issue(session_id, role)
        tracks = synthetic_tracks(role, clock)
        stations[role] = Station(url, session_id, role, token, tracks, clock=clock)
    tasks = [asyncio.create_task(s.run()) for s in stations.values()]
    try:
        yield hub, stations
    finally:
        for station in stations.values():
            await station.leave()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 10)
        await hub.close()


async def settle_and_count(stations, seconds=1.0):
    await asyncio.sleep(seconds)
    return {
        (role, peer): await received(station, peer)
        for role, station in stations.items()
        for peer in ROLES
        if peer != role
    }


async def test_the_prosecutor_neither_sends_nor_receives_during_a_private_consultation(session):
    hub, stations = session
    prosecutor, lawyer = stations["prosecutor"], stations["lawyer"]
    await prosecutor.wait_for_state(lambda s: s == "recording", 30)
    for step in ("announce", "notify_rights", "begin_hearing"):
        await prosecutor.request_step(step)
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)
    await asyncio.sleep(1.5)
    assert await received(prosecutor, "suspect") > 0, "media should flow before the consultation"

    await lawyer.request_step("begin_consultation")
    await prosecutor.wait_for_state(lambda s: s == "private_consultation", 10)
    before = await settle_and_count(stations, 2.0)  # frames already in flight arrive
    after = await settle_and_count(stations, 2.0)
    flowing = after[("suspect", "lawyer")] - before[("suspect", "lawyer")]
    assert flowing > 100, "suspect and lawyer should go on hearing each other"
    assert after[("lawyer", "suspect")] - before[("lawyer", "suspect")] > 100
    # Cut off both ways; a busy machine may still deliver the one frame an encoder held
    # (a few packets), never the stream.
    for link in [("prosecutor", "suspect"), ("prosecutor", "lawyer"), ("suspect", "prosecutor"),
                 ("lawyer", "prosecutor")]:  # fmt: skip
        assert after[link] - before[link] <= 6, link

    await lawyer.request_step("end_consultation")
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)
    resumed = await settle_and_count(stations, 2.0)
    assert resumed[("prosecutor", "suspect")] > after[("prosecutor", "suspect")]
    states = hub.live(next(iter(hub._live))).machine.states_passed
    assert states[-3:] == ["hearing", "private_consultation", "hearing"]


def test_who_is_shut_out_of_a_private_consultation():
    everyone = frozenset({"suspect", "prosecutor", "lawyer", "interpreter", "recorder"})
    assert shut_out("prosecutor", "private_consultation", everyone - {"prosecutor"}) == (
        everyone - {"prosecutor"}
    )
    assert shut_out("suspect", "private_consultation", everyone - {"suspect"}) == {
        "prosecutor",
        "interpreter",
    }
    assert shut_out("suspect", "hearing", everyone - {"suspect"}) == frozenset()
