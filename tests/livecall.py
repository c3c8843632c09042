"""Helpers for tests on a live call (see the ``live_call`` fixture in conftest)."""

from __future__ import annotations

from session.station import Station

ROLES = ("suspect", "prosecutor", "lawyer")


async def walk_to_hearing(prosecutor: Station) -> None:
    """The prosecutor takes the session from recording to the hearing."""
    await prosecutor.wait_for_state(lambda s: s == "recording", 30)
    for step in ("announce", "notify_rights", "begin_hearing"):
        await prosecutor.request_step(step)
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)


async def rtp_packets(station: Station, peer: str, direction: str) -> int:
    """RTP packets ``station`` has sent to (``outbound``) or received from (``inbound``)
    ``peer`` over the network."""
    pc = station.mesh.peers.get(peer)
    if pc is None:
        return 0
    report = await pc.getStats()
    field = "packetsSent" if direction == "outbound" else "packetsReceived"
    return sum(getattr(s, field) for s in report.values() if s.type == f"{direction}-rtp")
