"""Helpers for tests on a live call (see the ``live_call`` fixture in conftest)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from session.hub.server import Hub
from session.station.engine import Station

ROLES = ("suspect", "prosecutor", "lawyer")
#: Pictures the stations of a one-process call send: a hub and three stations share ONE event
#: loop, which carries small, slow pictures; at 640x480 and 25 fps (about 1,800 RTP packets a
#: second through Python) it falls behind, and messages on the data channel wait many seconds.
LIGHT_PICTURES = {"size": (160, 120), "fps": 10}
#: Every state a scripted session passes through from booking to its close, in order.
LAWFUL_STATES = [
    "scheduled", "room_ready", "recording", "announced", "rights_notified", "hearing",
    "agreement_presented", "signing", "signed", "closing", "closed",
]  # fmt: skip


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


class Heard:
    """A station listener that keeps every event but frames, for a test to look at."""

    def __init__(self) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, event: str) -> Callable[..., None]:
        if event.startswith("_") or event == "frame":
            raise AttributeError(event)
        return lambda *args: self.events.append((event, args))

    def of(self, event: str) -> list[Any]:
        """The first argument of every ``event`` heard, in order."""
        return [args[0] for name, args in self.events if name == event]


async def until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Wait until ``condition()`` is true (a busy machine may take a while)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 (what is awaited has no event to wait on)
            await asyncio.sleep(0.05)


def audit_events(hub: Hub, session_id: str) -> list[dict[str, Any]]:
    """The session's audit trail so far, one dict per entry."""
    assert hub.audit is not None
    lines = hub.audit.path(session_id).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


async def hang_up(hub: Hub, stations: dict[str, Station], tasks: list[asyncio.Task]) -> None:
    """Every station leaves (its task given 10 s to end), then the hub closes."""
    for station in stations.values():
        await station.leave()
    for task in tasks:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
    await hub.close()
