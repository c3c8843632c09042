"""A station that loses the hub joins again; the session is interrupted, then resumed."""

from __future__ import annotations

import asyncio
import time

import pytest
from livecall import rtp_packets, walk_to_hearing

pytestmark = pytest.mark.e2e


async def test_a_dropped_suspect_rejoins_media_flows_again_and_the_session_resumes(live_call):
    hub, session_id, stations = live_call
    prosecutor = stations["prosecutor"]
    await walk_to_hearing(prosecutor)

    dropped_at = time.monotonic()
    await hub.live(session_id).sockets["suspect"].close()  # the suspect's line breaks
    await prosecutor.wait_for_state(lambda s: s == "interrupted", 10)
    while await rtp_packets(prosecutor, "suspect", "inbound") == 0:
        assert time.monotonic() - dropped_at < 5.0, "media did not flow again within 5 s"
        await asyncio.sleep(0.05)
    print(f"media again {time.monotonic() - dropped_at:.2f} s after the drop")

    await prosecutor.request_step("resume")
    await prosecutor.wait_for_state(lambda s: s == "hearing", 10)
    changes = hub.live(session_id).machine.history
    interruption = next(c for c in changes if c.state.value == "interrupted")
    assert interruption.reason == "suspect disconnected"
    assert [c.state.value for c in changes[-2:]] == ["interrupted", "hearing"]
