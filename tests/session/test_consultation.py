"""Private consultation over real WebRTC: the prosecutor's station is cut off both ways."""

from __future__ import annotations

import asyncio

import pytest
from livecall import ROLES, rtp_packets, walk_to_hearing

from session.machine import shut_out

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def sent(stations) -> dict[tuple[str, str], int]:
    """Packets each station has sent to each other party so far."""
    return {
        (role, peer): await rtp_packets(station, peer, "outbound")
        for role, station in stations.items()
        for peer in ROLES
        if peer != role
    }


async def test_the_prosecutor_neither_sends_nor_receives_during_a_private_consultation(live_call):
    hub, session_id, stations = live_call
    prosecutor, lawyer = stations["prosecutor"], stations["lawyer"]
    await walk_to_hearing(prosecutor)
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
    states = hub.live(session_id).machine.states_passed
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
