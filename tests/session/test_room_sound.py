"""The parties hear each other through real sound devices: station processes open PortAudio
microphones and speakers on a PulseAudio server of the test's own, and talk over WebRTC on
127.0.0.1. A tone said in the suspect's room comes out of the prosecutor's and the lawyer's
speakers, not the suspect's own; during a private consultation, out of the lawyer's only."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from people import PARTS, add_people, environment
from repo import REPO
from soundserver import SoundServer, strength, tone

from session.accounts.store import AccountStore
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROLES = ("suspect", "prosecutor", "lawyer")


@pytest.fixture
def sound(tmp_path):
    server = SoundServer(tmp_path / "sound", ROLES)
    yield server
    server.close()


@pytest.fixture
async def session(tmp_path, sound):
    """A hub in this process and the three parties' station processes, each with its room's
    microphone and speaker (and a synthetic camera, asked for by name)."""
    hub = Hub(
        Store(":memory:"), tmp_path / "recordings", recorders=composite_recorders(),
        accounts=add_people(AccountStore(":memory:")),
    )  # fmt: skip
    url = await hub.start()
    session_id = await hub.create_session("C-sound", assigned=PARTS, site="centre-a")
    stations = []
    for role in ROLES:
        with (tmp_path / f"{role}.log").open("wb") as log:
            stations.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "desktop.cli.main", "station", "--hub", url, "--session",
                session_id, "--headless", "--script", "600", "--case", "C-sound",
                "--camera", "synthetic", "--microphone", f"{role}_in", "--speaker",
                f"{role}_out", cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                env={**sound.environment(), **environment(PARTS[role])},
            ))  # fmt: skip
    try:
        async with asyncio.timeout(60):
            while (live := hub.live(session_id)) is None or live.machine.state.value != "recording":
                if any(p.returncode is not None for p in stations):
                    logs = {r: (tmp_path / f"{r}.log").read_text()[-2000:] for r in ROLES}
                    pytest.fail(f"a station stopped: {logs}")
                await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # the first packets, and each playout buffer filling
        yield hub, live
    finally:
        for process in stations:
            if process.returncode is None:
                process.kill()
            await process.wait()
        await hub.close()


async def heard_when(sound: SoundServer, role: str, hz: float) -> dict[str, float]:
    """Say a tone of ``hz`` in ``role``'s room; how strongly each speaker played it."""
    recordings = {r: sound.listen(r) for r in ROLES}
    await asyncio.sleep(0.3)
    player = sound.say(role, tone(hz, 1.5))
    await asyncio.to_thread(player.wait, 10)
    await asyncio.sleep(0.8)  # the tone's way through the network and the playout buffer
    return {r: strength(recording.stop(), hz) for r, recording in recordings.items()}


async def test_everyone_hears_the_suspect_and_no_one_hears_the_consultation_but_the_lawyer(
    session, sound
):
    _, live = session
    heard = await heard_when(sound, "suspect", 1000)
    assert heard["prosecutor"] > 20 and heard["lawyer"] > 20, heard
    assert heard["suspect"] < 2, heard  # a station does not play its own microphone back
    heard = await heard_when(sound, "prosecutor", 700)
    assert heard["suspect"] > 20 and heard["lawyer"] > 20, heard
    steps = [("prosecutor", "announce"), ("prosecutor", "notify_rights"),
             ("prosecutor", "begin_hearing"), ("lawyer", "begin_consultation")]  # fmt: skip
    for role, step in steps:
        await live.request_step(role, step, "")
    assert live.machine.state.value == "private_consultation"
    await asyncio.sleep(1.0)  # the prosecutor's media stop
    heard = await heard_when(sound, "suspect", 1300)
    assert heard["lawyer"] > 20, heard
    assert heard["prosecutor"] < 2, heard


@pytest.mark.parametrize(
    ("devices", "says"),
    [
        (["--microphone", "nosuch", "--speaker", "suspect_out"], "microphone 'nosuch' was not"),
        (["--microphone", "suspect_in", "--speaker", "nosuch"], "speaker 'nosuch' was not found"),
    ],
)
def test_a_missing_device_stops_the_station_before_it_joins(sound, devices, says):
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "station", "--hub", "http://127.0.0.1:9",
         "--session", "S", "--headless", "--script", "1", "--camera", "synthetic", *devices],
        cwd=REPO, env={**sound.environment(), **environment("room-a1")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "devices are not ready" in done.stderr and says in done.stderr
    assert "could not join" not in done.stderr  # it never reached for the hub


def test_the_devices_command_lists_the_rooms_microphones_and_speakers(sound):
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "devices", "--json"],
        cwd=REPO, env=sound.environment(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    listed = json.loads(done.stdout)
    assert {"suspect_in", "lawyer_in"} <= {m["name"] for m in listed["microphones"]}
    assert {"suspect_out", "prosecutor_out"} <= {s["name"] for s in listed["speakers"]}
