"""Glass-to-glass latency, frames delivered and CPU of a live three-party session on one machine.

The session is held as it is deployed: the hub with its recorder in this process, the suspect,
prosecutor and lawyer stations as three processes of their own (run at ``nice`` NICE, as the
demo runs them), WebRTC over TLS-signalled connections on 127.0.0.1, synthetic 640x480 25 fps
cameras. Every synthetic picture carries its capture time (CLOCK_MONOTONIC, one clock for all
processes on the machine) as a timecode; each receiver reads it back from the decoded frame the
moment the frame is handed to its listener, so latency needs no clock synchronization.

After the recording has started and WARMUP seconds have passed, a window of SECONDS is
measured: per stream, the latency percentiles and the pictures delivered per second at each
station and at the recorder, with the seconds of sound delivered per second; per process, the
CPU it used (utime + stime from /proc/PID/stat) as cores; and how busy the whole machine was,
so other work on it can be told apart.

    .venv/bin/python bench/bench_call.py [SECONDS] [--warmup S] [--nice N]

``bench_call.py station ...`` is the station process this script starts.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
from av.audio.frame import AudioFrame
from av.frame import Frame
from av.video.frame import VideoFrame
from proc_cpu import TICK, process_cpu, stat_cpu

from recording.media.synthetic import read_timecode
from session import loop as station_loop
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.live import LiveSession
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.machine import REQUIRED_ROLES, State
from session.rtc.network import restrict_media_addresses
from session.station.engine import StationListener
from session.station.runner import synthetic_station, take_part
from session.tls import HubCredentials, init_hub_credentials

log = logging.getLogger("bench_call")

#: Seconds a station has to leave the session once its figures are written.
LEAVE_TIMEOUT = 10.0
#: (time, CPU seconds by kind of thread) of one process, once a second.
ThreadSamples = list[tuple[float, dict[str, float]]]
#: Seconds between a process's samples of its own threads' CPU.
THREAD_SAMPLE_EVERY = 1.0


class FrameLog:
    """A station listener (and recorder observer) that notes every decoded frame.

    Video: (sender, hand-over time, timecode or None); audio: (sender, hand-over time, seconds
    of sound). Every other event a station reports is of no interest here.
    """

    def __init__(self) -> None:
        self.video: list[tuple[str, float, float | None]] = []
        self.audio: list[tuple[str, float, float]] = []

    def frame(self, role: str, kind: str, frame: Frame) -> None:
        """A decoded frame from ``role``: the clock is read first, before any work on it."""
        now = time.monotonic()
        if isinstance(frame, VideoFrame):
            self.video.append((role, now, read_timecode(frame)))
        elif isinstance(frame, AudioFrame):
            self.audio.append((role, now, frame.samples / frame.sample_rate))

    def __getattr__(self, event: str) -> Callable[..., None]:
        if event.startswith("_"):
            raise AttributeError(event)
        return lambda *args: None


# -- CPU ---------------------------------------------------------------------------------------


def machine_busy() -> float:
    """CPU seconds all cores have spent busy (not idle or waiting for I/O) since boot."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


def thread_cpu() -> dict[str, float]:
    """This process's CPU seconds so far by kind of thread (Python's name; ``native`` for
    threads Python did not start, such as codec workers)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    totals: dict[str, float] = defaultdict(float)
    for task in Path("/proc/self/task").iterdir():
        try:
            used = stat_cpu((task / "stat").read_text())
        except OSError:  # the thread ended meanwhile
            continue
        totals[_thread_kind(names.get(int(task.name)))] += used
    return dict(totals)


def _thread_kind(name: str | None) -> str:
    """Threads grouped by what they do: numbered pool threads together, a file's name off."""
    if name is None:
        return "native"
    if name == "MainThread":
        return "event loop"
    words = " ".join(word for word in name.split() if "." not in word)
    kind = re.sub(r"[-_]\d+(_\d+)?$", "", words)
    return "executor" if kind in ("asyncio", "uvloop") else kind  # the loop's default pool


async def sample_threads(samples: ThreadSamples) -> None:
    """Note this process's CPU by thread every second, until cancelled."""
    while True:
        samples.append((time.monotonic(), thread_cpu()))
        await asyncio.sleep(THREAD_SAMPLE_EVERY)


def threads_over(samples: ThreadSamples, start: float, end: float) -> dict[str, float]:
    """CPU seconds per kind of thread between the samples nearest ``start`` and ``end``."""
    first = min(samples, key=lambda s: abs(s[0] - start))
    last = min(samples, key=lambda s: abs(s[0] - end))
    span = last[0] - first[0]
    if span <= 0:
        return {}
    return {k: (v - first[1].get(k, 0.0)) / span for k, v in last[1].items()}


# -- the station process -------------------------------------------------------------------------


async def run_station(args: argparse.Namespace) -> None:
    """Take part with synthetic devices until SIGTERM, then write what was received and leave.

    What was received is written before leaving, so a station that does not leave cleanly
    (which is not what this bench measures) still gives its figures.
    """
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` shows where a station is stuck
    restrict_media_addresses()
    frames, samples = FrameLog(), ThreadSamples()
    station = synthetic_station(
        args.hub,
        args.session,
        args.role,
        os.environ["BENCH_JOIN_TOKEN"],
        ca=args.ca,
        listener=cast(StationListener, frames),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    part = asyncio.create_task(take_part(station, None, ""))
    sampler = asyncio.create_task(sample_threads(samples))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({part, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (sampler, stopping):
        task.cancel()
    report = {"video": frames.video, "audio": frames.audio, "threads": samples}
    args.out.write_text(json.dumps(report))
    try:
        await station.leave()
        await asyncio.wait_for(part, LEAVE_TIMEOUT)
    except Exception:
        log.exception("the %s station did not leave cleanly", args.role)


# -- the hub process and the measurement ---------------------------------------------------------


def observe_recorder(live: LiveSession, frames: FrameLog) -> None:
    """Note every frame the recorder peer decodes, then pass it on to the recorder as before.

    The live session has no public hook for this, so the bench wraps its mesh's frame handler.
    """
    mesh = live._mesh
    feed = mesh._on_frame

    def observed(role: str, kind: str, frame: Frame, captured: float | None) -> None:
        frames.frame(role, kind, frame)
        feed(role, kind, frame, captured)

    mesh._on_frame = observed


async def measure(seconds: float, warmup: float, nice: int, folder: Path) -> dict[str, Any]:
    """Hold the session and measure one window; return everything the report prints."""
    restrict_media_addresses()
    credentials = HubCredentials(folder / "hub-tls")
    init_hub_credentials(credentials.folder, ["127.0.0.1"])
    hub = Hub(
        Store(folder / "hub.sqlite3"),
        folder / "recordings",
        HubClock(),
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )
    recorder, hub_samples = FrameLog(), ThreadSamples()
    stations: dict[str, asyncio.subprocess.Process] = {}
    try:
        url = await hub.start(tls=credentials.server_context())
        session_id = await hub.create_session("BENCH-1")
        tokens = {role: hub.tokens.issue(session_id, role) for role in REQUIRED_ROLES}
        for role in REQUIRED_ROLES:
            stations[role] = await _start_station(
                url, session_id, role, tokens[role], credentials.ca_certificate, nice, folder
            )
        async with asyncio.TaskGroup() as group:
            sampler = group.create_task(sample_threads(hub_samples))
            live = await _until(lambda: hub.live(session_id), stations, 60)
            observe_recorder(live, recorder)
            await _until(lambda: live.machine.state is not State.SCHEDULED
                         and live.machine.state is not State.ROOM_READY, stations, 90)  # fmt: skip
            await asyncio.sleep(warmup)
            pids = {**{role: p.pid for role, p in stations.items()}, "hub": os.getpid()}
            start, cpu0, busy0 = time.monotonic(), _cpu(pids), machine_busy()
            await asyncio.sleep(seconds)
            end, cpu1, busy1 = time.monotonic(), _cpu(pids), machine_busy()
            await asyncio.sleep(THREAD_SAMPLE_EVERY)  # a thread sample after the window
            sampler.cancel()
        received = await _stop_stations(stations, folder)
    finally:
        for process in stations.values():
            if process.returncode is None:
                process.kill()
                await process.wait()
        await hub.close()
    wall = end - start
    received["recorder"] = {"video": recorder.video, "audio": recorder.audio,
                            "threads": hub_samples}  # fmt: skip
    return {
        "window": (start, end),
        "cores": {who: (cpu1[who] - cpu0[who]) / wall for who in pids},
        "machine_busy": (busy1 - busy0) / wall,
        "received": received,
    }


async def _start_station(
    url: str, session_id: str, role: str, token: str, ca: Path, nice: int, folder: Path
) -> asyncio.subprocess.Process:
    """A station process for ``role``, at niceness ``nice``, its output to ROLE.log."""
    with (folder / f"{role}.log").open("w") as output:
        return await asyncio.create_subprocess_exec(
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable, __file__, "station", "--hub", url, "--session", session_id,
            "--role", role, "--ca", str(ca), "--out", str(folder / f"{role}.json"),
            stdout=output, stderr=output, env={**os.environ, "BENCH_JOIN_TOKEN": token},
        )  # fmt: skip


async def _until(value: Any, stations: dict[str, asyncio.subprocess.Process], timeout: float):
    """Wait until ``value()`` is truthy, failing if a station stops or time runs out."""
    async with asyncio.timeout(timeout):
        while not (result := value()):
            stopped = {r: p.returncode for r, p in stations.items() if p.returncode is not None}
            if stopped:
                raise RuntimeError(f"station stopped: {stopped}")
            await asyncio.sleep(0.05)
    return result


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {who: process_cpu(pid) for who, pid in pids.items()}


async def _stop_stations(stations: dict[str, asyncio.subprocess.Process], folder: Path) -> dict:
    """Ask the stations to stop; return what each wrote it had received."""
    for process in stations.values():
        process.send_signal(signal.SIGTERM)
    waits = [asyncio.wait_for(p.wait(), LEAVE_TIMEOUT + 20) for p in stations.values()]
    await asyncio.gather(*waits, return_exceptions=True)  # a straggler is killed by the caller
    missing = [role for role in stations if not (folder / f"{role}.json").exists()]
    if missing:
        logs = {role: (folder / f"{role}.log").read_text()[-3000:] for role in missing}
        raise RuntimeError(f"no figures from {missing}: {logs}")
    return {role: json.loads((folder / f"{role}.json").read_text()) for role in stations}


# -- the report ---------------------------------------------------------------------------------


def report(result: dict[str, Any], warmup: float, nice: int, loads: list[list[float]]) -> None:
    """Print the latency and frame-rate table, then CPU per process."""
    start, end = result["window"]
    print(f"window {end - start:.1f} s after {warmup:g} s of warm-up; stations at nice {nice}")
    print(f"load average before {loads[0]}, after {loads[1]}")
    rates = _stream_table(result["received"], start, end)
    _process_table(result, rates, start, end)


def _stream_table(
    received: dict[str, Any], start: float, end: float
) -> dict[tuple[str, str], float]:
    """Per (receiver, sender) video stream: frames per second and latency; returns the rates."""
    wall = end - start
    print(f"\n{'receiver':<11}{'sender':<11}{'video/s':>8}{'sound':>8}{'p50 ms':>8}"
          f"{'p95 ms':>8}{'max ms':>8}{'unread':>7}")  # fmt: skip
    rates: dict[tuple[str, str], float] = {}
    at_stations: list[float] = []
    for receiver, got in received.items():
        for sender in REQUIRED_ROLES:
            if sender == receiver:
                continue
            video = [(t, c) for r, t, c in got["video"] if r == sender and start <= t <= end]
            sound = sum(s for r, t, s in got["audio"] if r == sender and start <= t <= end)
            ages = [(t - c) * 1000 for t, c in video if c is not None]
            if receiver != "recorder":
                at_stations += ages
            unread = sum(c is None for _, c in video)
            rates[(receiver, sender)] = len(video) / wall
            print(f"{receiver:<11}{sender:<11}{len(video) / wall:8.1f}{sound / wall:8.2f}"
                  f"{_percentiles(ages)}{unread:7d}")  # fmt: skip
    print(f"{'stations':<11}{'all':<11}{'':16}{_percentiles(at_stations)}")
    return rates


def _process_table(
    result: dict[str, Any], rates: dict[tuple[str, str], float], start: float, end: float
) -> None:
    """CPU per process, with the video frames per second it took in and (as received) sent."""
    print(f"\n{'process':<20}{'cores':>6}{'in/s':>6}{'out/s':>6}   by thread (cores)")
    for who, cores in result["cores"].items():
        party = "recorder" if who == "hub" else who
        threads = threads_over(result["received"][party]["threads"], start, end)
        shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(threads.items(), key=lambda kv: -kv[1])
                          if v >= 0.005)  # fmt: skip
        taken = sum(rate for (receiver, _), rate in rates.items() if receiver == party)
        sent = sum(rate for (_, sender), rate in rates.items() if sender == party)
        name = "hub + recorder" if who == "hub" else f"{who} station"
        out = f"{sent:6.0f}" if party != "recorder" else f"{'-':>6}"
        print(f"{name:<20}{cores:6.2f}{taken:6.0f}{out}   {shown}")
    ours = sum(result["cores"].values())
    busy = result["machine_busy"]
    print(f"{'machine, busy':<20}{busy:6.2f}   of {os.cpu_count()} cores; other work "
          f"{max(0.0, busy - ours):.2f}")  # fmt: skip


def _percentiles(ages: list[float]) -> str:
    if not ages:
        return f"{'-':>8}{'-':>8}{'-':>8}"
    p50, p95 = np.percentile(ages, [50, 95])
    return f"{p50:8.1f}{p95:8.1f}{max(ages):8.1f}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "station":
        parser = argparse.ArgumentParser(prog="bench_call.py station")
        for option in ("--hub", "--session", "--role"):
            parser.add_argument(option, required=True)
        parser.add_argument("--ca", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)
        logging.basicConfig(level=logging.WARNING)
        station_loop.run(run_station(parser.parse_args(sys.argv[2:])))
        # aiortc's decoder threads are not daemons; one left by an unclean leave would keep
        # the process alive. The figures are written: end here.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seconds", nargs="?", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--nice", type=int, default=5, help="the stations' niceness (0: none)")
    args = parser.parse_args()
    before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(measure(args.seconds, args.warmup, args.nice, Path(folder)))
    after = [round(x, 2) for x in os.getloadavg()]
    report(result, args.warmup, args.nice, [before, after])


if __name__ == "__main__":
    main()
