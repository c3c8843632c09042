"""The hub stops in the middle of a session and starts again: the stations join again by
themselves, the session is interrupted ("hub stopped") where it was, resumes at that step
without any step repeated, and what follows is recorded in a second file beside the first."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess

import pytest
from livecall import LIGHT_PICTURES, ROLES, audit_events, hang_up, until, walk_to_hearing

from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.hub.tokens import TokenIssuer
from session.rtc.network import restrict_media_addresses
from session.station.runner import synthetic_station

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def frames_in(path) -> int:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(probe.stdout.strip())


async def test_a_session_resumes_where_it_was_after_the_hub_restarts(tmp_path):
    restrict_media_addresses()
    tokens = TokenIssuer(b"k" * 32)  # kept on disk by a real hub (token-secret)

    def new_hub() -> Hub:
        clock = HubClock.kept_in(tmp_path / "clock-epoch")  # as a real hub keeps it
        audit = AuditTrail.in_folder(tmp_path / "audit", clock)
        store = Store(tmp_path / "hub.sqlite3")
        return Hub(
            store,
            tmp_path / "recordings",
            clock,
            recorders=composite_recorders(),
            accounts=AccountStore(":memory:"),
            tokens=tokens,
            audit=audit,
        )

    hub = new_hub()
    url = await hub.start("127.0.0.1", 0)
    port = int(url.rsplit(":", 1)[1])
    session_id = await hub.create_session("C-restart")
    stations = {
        role: synthetic_station(
            url, session_id, role, tokens.issue(session_id, role), **LIGHT_PICTURES
        )
        for role in ROLES
    }
    tasks = [asyncio.create_task(station.run()) for station in stations.values()]
    prosecutor = stations["prosecutor"]
    try:
        await walk_to_hearing(prosecutor)
        await asyncio.sleep(1.0)
        await hub.close()  # the hub stops; the stations try to join again

        hub = new_hub()
        await hub.start("127.0.0.1", port)
        await until(
            lambda: (live := hub.live(session_id)) is not None and set(live.sockets) == set(ROLES)
        )
        assert prosecutor.state == "interrupted"
        # Resuming is refused until the new recording has every party's picture.
        resuming = asyncio.get_running_loop().time()
        while prosecutor.state != "hearing":
            assert asyncio.get_running_loop().time() - resuming < 20, "the recording never resumed"
            await prosecutor.request_step("resume")
            with contextlib.suppress(TimeoutError):
                await prosecutor.wait_for_state(lambda s: s == "hearing", 1.0)
        await asyncio.sleep(2.0)  # some of the resumed hearing on record
        for step in ("decline_agreement", "close"):
            await prosecutor.request_step(step)
        await prosecutor.wait_for_state(lambda s: s == "closed", 20)
    finally:
        await hang_up(hub, stations, tasks)

    states = ["scheduled"] + [c["state"] for c in hub.store.state_changes(session_id)]
    assert states == [
        "scheduled", "room_ready", "recording", "announced", "rights_notified", "hearing",
        "interrupted", "hearing", "no_agreement_path", "closing", "closed",
    ]  # fmt: skip
    interruption = hub.store.state_changes(session_id)[5]
    assert (interruption["role"], interruption["reason"]) == ("hub", "hub stopped")
    assert "hub_restarted" in [e["event"] for e in audit_events(hub, session_id)]
    recordings = sorted((tmp_path / "recordings").glob(f"{session_id}*.mkv"))
    composites = [p for p in recordings if not any(f".{r}." in p.name for r in ROLES)]
    assert len(composites) == 2  # the first part, and what followed the restart
    assert all(frames_in(path) > 25 for path in composites)
    after = [p for p in recordings if ".001." in p.name and p not in composites]
    assert len(after) == len(ROLES)
    assert all(frames_in(path) > 10 for path in after)  # every party's picture was recorded
