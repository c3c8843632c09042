"""Mouth to ear through real sound devices: a click said in the suspect's room, heard at the
prosecutor's speaker.

    .venv/bin/python bench/bench_mouth_to_ear.py [CLICKS]

A PulseAudio server of the benchmark's own (``tests/support/soundserver.py``) gives each party a
room, a microphone and a speaker as PortAudio devices; a hub in this process and three
``pleadesk station`` processes (a synthetic camera, the room's microphone and speaker) hold a
session over WebRTC on 127.0.0.1. The suspect's room and the prosecutor's speaker are looped
into the left and the right channel of one probe (each through the same kind of loopback, so
their delays cancel but for a few milliseconds) and recorded together; each click's delay from
left to right is the way from the suspect's mouth to the prosecutor's ear: the microphone's
buffer, the echo canceller, encoding, the network, decoding, the 60 ms playout buffer and the
speaker's buffer.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))
from people import PARTS, add_people, environment  # noqa: E402
from soundserver import RATE, SoundServer  # noqa: E402

from session.accounts.store import AccountStore  # noqa: E402
from session.hub.runner import composite_recorders  # noqa: E402
from session.hub.server import Hub  # noqa: E402
from session.hub.store import Store  # noqa: E402

ROLES = ("suspect", "prosecutor", "lawyer")


def add_probe(sound: SoundServer) -> None:
    """The probe: the suspect's room on the left, the prosecutor's speaker on the right."""

    def pactl(*words: str) -> None:
        subprocess.run(["pactl", *words], env=sound.environment(), check=True, timeout=10,
                       capture_output=True)  # fmt: skip

    pactl("load-module", "module-null-sink", "sink_name=probe", f"rate={RATE}", "channels=2",
          "channel_map=front-left,front-right")  # fmt: skip
    for source, side in (("suspect_room", "left"), ("prosecutor_speaker", "right")):
        pactl("load-module", "module-remap-sink", f"sink_name=probe_{side}", "master=probe",
              "channels=1", "channel_map=mono", f"master_channel_map=front-{side}",
              "remix=no")  # fmt: skip
        pactl("load-module", "module-loopback", f"source={source}.monitor",
              f"sink=probe_{side}", "latency_msec=20", "source_dont_move=true",
              "sink_dont_move=true")  # fmt: skip


def onsets(channel: np.ndarray, threshold: float) -> list[int]:
    """Where each click begins (the first sample over ``threshold`` after a quiet stretch)."""
    found: list[int] = []
    for index in np.flatnonzero(np.abs(channel) > threshold):
        if not found or index - found[-1] > RATE // 2:
            found.append(int(index))
    return found


async def stations_up(hub: Hub, sound: SoundServer, folder: Path) -> list:
    session_id = await hub.create_session("C-latency", assigned=PARTS, site="centre-a")
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "desktop.cli.main",
            "station",
            "--hub",
            hub.url,
            "--session",
            session_id,
            "--headless",
            "--script",
            "600",
            "--case",
            "C-latency",
            "--camera",
            "synthetic",
            "--microphone",
            f"{role}_in",
            "--speaker",
            f"{role}_out",
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**sound.environment(), **environment(PARTS[role])},
        )
        for role in ROLES
    ]
    async with asyncio.timeout(60):  # the hub's state, polled
        while (live := hub.live(session_id)) is None or live.machine.state.value != "recording":  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return processes


async def measure(clicks: int, folder: Path) -> list[float]:
    sound = SoundServer(folder / "sound", ROLES)
    hub = Hub(Store(":memory:"), folder / "recordings", recorders=composite_recorders(),
              accounts=add_people(AccountStore(":memory:")))  # fmt: skip
    processes = []
    try:
        await hub.start()
        processes = await stations_up(hub, sound, folder)
        await asyncio.sleep(5.0)  # settled: the echo canceller, the buffers
        add_probe(sound)
        raw = folder / "probe.raw"
        with raw.open("wb") as out:
            recorder = await asyncio.create_subprocess_exec(
                "parec", "-d", "probe.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
                "--channels=2", "--latency-msec=10", env=sound.environment(), stdout=out,
            )  # fmt: skip
            await asyncio.sleep(2.0)  # the loopbacks fill
            t = np.arange(int(0.03 * RATE)) / RATE
            click = 0.5 * 32767 * np.sin(2 * np.pi * 1500 * t) * np.hanning(len(t))
            said = np.concatenate([np.concatenate([click, np.zeros(RATE)])] * clicks)
            player = sound.say("suspect", said)
            await asyncio.to_thread(player.wait, clicks + 30)
            await asyncio.sleep(1.0)
            recorder.terminate()
            await recorder.wait()
        both = np.frombuffer(raw.read_bytes(), "<i2").reshape(-1, 2).astype(float)
        heard_at = onsets(both[:, 1], 1000)
        delays = []
        for start in onsets(both[:, 0], 3000):
            after = [h for h in heard_at if 0 < h - start < RATE // 2]
            if after:
                delays.append((after[0] - start) / RATE * 1000)
        return delays
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
            await process.wait()
        await hub.close()
        sound.close()


def main() -> None:
    clicks = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"command: .venv/bin/python bench/bench_mouth_to_ear.py {clicks}")
    print("load before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-m2e-") as folder:
        delays = asyncio.run(measure(clicks, Path(folder)))
    if not delays:
        raise SystemExit("no click was heard at the prosecutor's speaker")
    p50, p95 = np.percentile(delays, [50, 95])
    print(
        f"clicks heard {len(delays)} of {clicks}; mouth to ear p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(delays):.1f} ms (run {time.monotonic() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
