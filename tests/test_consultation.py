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


async def rtp_packets(station: Station, peer: str, direction: str) -> int:
    """RTP packets ``station`` has sent to (``outbound``) or received from (``inbound``)
    ``peer`` over the network."""
    pc = station.mesh.peers.get(peer)
    if pc is None:
        return 0
    report = await pc.getStats()
    field = "packetsSent" if direction == "outbound" else "packetsReceived"
    return sum(getattr(s, field) for s in report.values() if s.type == f"{direction}-rtp")


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


async def sent(stations) -> dict[tuple[str, str], int]:
    """Packets each station has sent to each other party so far."""
    return {
        (role, peer): await rtp_packets(station, peer, "outbound")
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
    assert await rtp_packets(prosecutor, "suspect", "inbound") > 0, "media flows before it"

    await lawyer.request_step("begin_consultation")
    await prosecutor.wait_for_state(lambda s: s == "private_consultation", 10)
    await asyncio.sleep(0.5)  # every station has had the news
    before = await sent(stations)
    await asyncio.sleep(2.0)
    after = await sent(stations)
    # Nothing leaves for, or comes from, the prosecutor while the consultation lasts...
    for link in [("suspect", "prosecutor"), ("lawyer", "prosecutor"), ("prosecutor", "suspect"),
                 ("prosecutor", "lawyer")]:  # fmt: skip
        assert after[link] == before[link], link
    # ...so the prosecutor receives no more than was sent before it began (a busy machine may
    # still be working through packets that arrived earlier),
    for other in ("suspect", "lawyer"):
        assert await rtp_packets(prosecutor, other, "inbound") <= after[(other, "prosecutor")]
    # while the suspect and the lawyer go on hearing each other.
    assert after[("suspect", "lawyer")] > before[("suspect", "lawyer")]
    assert after[("lawyer", "suspect")] > before[("lawyer", "suspect")]

    await lawyer.request_step("end_consultation")
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)
    await asyncio.sleep(1.0)
    resumed = await sent(stations)
    assert resumed[("suspect", "prosecutor")] > after[("suspect", "prosecutor")]
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
