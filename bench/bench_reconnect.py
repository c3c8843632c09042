"""How fast a session's media comes back after the network drops, and how it fares on a bad line.

  .venv/bin/python bench/bench_reconnect.py [RUNS] [CUT_S] [WIDTHxHEIGHT]

First one camera over one relayed peer connection (the line's own effect), then a hub and
three synthetic stations in one process, all media relayed by a local coturn behind
the impairment relay of ``session.rtc.impairment`` and signaling through a TCP relay (the layout of
``tests/netem.py``; needs Debian's coturn). RUNS times (default 3), on a fresh call each time:

* media cut: media is lost for CUT_S seconds (default 3), signaling stays up;
* full cut: media and signaling are cut for CUT_S seconds; the stations' heartbeats notice,
  they join again when the line returns, and the prosecutor resumes the session.

For each, the time from restore to the first new video frame at each receiver (each station
from each other party; the recorder from each party, by its first new packet), median and
worst over receivers and runs. Then one call at 5 % loss and 50 ms jitter end to end: frames
per second each station receives from each other party over 10 s, and the recorder's packets.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from livecall import ROLES, walk_to_hearing  # noqa: E402
from netem import ImpairedCall, coturn, impaired_call, video_link  # noqa: E402

from session import loop as station_loop  # noqa: E402
from session.rtc.impairment import Impairment  # noqa: E402

#: Give up on a receiver this long after the restore.
PATIENCE = 20.0


async def recovery_times(call: ImpairedCall, restored: float, before: dict) -> dict[str, float]:
    """Seconds from ``restored`` to new video at each receiver, e.g. ``"suspect<-lawyer"``."""
    times: dict[str, float] = {}
    while time.monotonic() - restored < PATIENCE:
        for receiver, counter in call.counters.items():
            for sender in call.senders_to(receiver):
                first = counter.first_after(sender, restored)
                if first is not None:
                    times.setdefault(f"{receiver}<-{sender}", first - restored)
        missing = await call.without_media(restored, before)
        for role in ROLES:
            if f"recorder<-{role}" not in missing:
                times.setdefault(f"recorder<-{role}", time.monotonic() - restored)
        if not missing:
            break
        await asyncio.sleep(0.02)
    return times


async def one_cut(
    turn: tuple[str, int], folder: Path, picture: tuple[int, int], cut_s: float, signaling: bool
) -> dict:
    """A fresh call in the hearing, cut for ``cut_s``; the recovery time at each receiver."""
    async with impaired_call(turn, folder, picture=picture) as call:
        prosecutor = call.stations["prosecutor"]
        await walk_to_hearing(prosecutor)
        await asyncio.sleep(1.0)
        call.cut(signaling=signaling)
        await asyncio.sleep(cut_s)
        before = await call.recorder_packets()
        restored = time.monotonic()
        call.restore()
        times = await recovery_times(call, restored, before)
        live = call.hub.live(call.session_id)
        dropped = live is not None and any(
            c.state.value == "interrupted" for c in live.machine.history
        )
        return {"times": times, "interrupted": dropped}


async def bad_line(
    turn: tuple[str, int], folder: Path, picture: tuple[int, int], seconds: float
) -> None:
    """Frames per second received at 5 % loss and 50 ms jitter end to end."""
    line = Impairment.end_to_end(loss=0.05, jitter=0.050)
    async with impaired_call(turn, folder, line, picture=picture) as call:
        try:
            await walk_to_hearing(call.stations["prosecutor"])
        except TimeoutError:
            print("\n5 % loss + 50 ms jitter: the session did not reach the hearing in time "
                  f"(stations at {call.stations['prosecutor'].state})")  # fmt: skip
            return
        before = await call.recorder_packets()
        start = time.monotonic()
        await asyncio.sleep(seconds)
        end = time.monotonic()
        after = await call.recorder_packets()
        rates = {
            f"{receiver}<-{sender}": counter.frames_between(sender, start, end) / (end - start)
            for receiver, counter in call.counters.items()
            for sender in call.senders_to(receiver)
        }
        lost = call.media.dropped / max(1, call.media.dropped + call.media.forwarded)
        print(
            f"\n5 % loss + 50 ms jitter end to end ({lost:.1%} lost per crossing), {seconds:.0f} s:"
        )
        for pair, rate in rates.items():
            print(f"  {pair:22s} {rate:5.1f} frames/s")
        values = sorted(rates.values())
        print(f"  stations: median {statistics.median(values):.1f}, worst {values[0]:.1f} frames/s")
        for role in ROLES:
            same = after.get(role, (0, 0))[0] == before.get(role, (1, 0))[0]
            packets = after.get(role, (0, 0))[1] - (before[role][1] if same else 0)
            rate = max(0, packets) / (end - start)  # a replaced connection can reuse an id
            print(f"  recorder<-{role:12s} {rate:5.0f} video packets/s")


async def one_link(
    turn: tuple[str, int], picture: tuple[int, int], cut_s: float
) -> tuple[float | None, float]:
    """One camera over one relayed connection: seconds from restore to the first new frame
    after a media cut, and frames/s over 5 s at 5 % loss and 50 ms jitter."""
    async with video_link(turn, picture=picture) as link:
        await asyncio.sleep(2.0)
        link.media.cut()
        await asyncio.sleep(cut_s)
        restored = time.monotonic()
        link.media.restore()
        for _ in range(int(PATIENCE * 100)):  # poll: frames are counted, not signalled
            if link.first_after(restored) is not None:
                break
            await asyncio.sleep(0.01)
        first = link.first_after(restored)
        link.media.impairment = Impairment.end_to_end(loss=0.05, jitter=0.050)
        await asyncio.sleep(2.0)
        start = time.monotonic()
        await asyncio.sleep(5.0)
        rate = link.frames_between(start, time.monotonic()) / (time.monotonic() - start)
        return (None if first is None else first - restored), rate


def summarize(label: str, runs: list[dict]) -> None:
    """Print the median and worst recovery over receivers and runs."""
    every = [t for run in runs for t in run["times"].values()]
    missing = sum(len(ROLES) * 3 - len(run["times"]) for run in runs)
    slowest = [max(run["times"].values(), default=float("nan")) for run in runs]
    print(f"\n{label}: restore -> first new video frame, {len(runs)} runs x 9 receivers")
    if every:
        print(f"  median {statistics.median(every):.2f} s, worst {max(every):.2f} s; "
              f"slowest receiver per run: {', '.join(f'{t:.2f}' for t in slowest)} s")  # fmt: skip
    if missing:
        print(f"  {missing} receiver(s) had no media {PATIENCE:.0f} s after the restore")
    interrupted = sum(run["interrupted"] for run in runs)
    print(f"  session interrupted (a station dropped) in {interrupted} of {len(runs)} runs")


async def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cut_s = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    width, height = (sys.argv[3] if len(sys.argv) > 3 else "640x480").split("x")
    picture = (int(width), int(height))
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, Python "
          f"{platform.python_version()}; {width}x{height} at 25 fps, {cut_s:g} s cuts")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with coturn(folder) as turn:
            links = [await one_link(turn, picture, cut_s) for _ in range(runs)]
            back = sorted(t for t, _ in links if t is not None)
            print(f"\none link (one camera, one connection), {runs} runs:")
            if back:
                print(f"  media cut: restore -> first new frame median "
                      f"{statistics.median(back):.2f} s, worst {back[-1]:.2f} s")  # fmt: skip
            rates = [rate for _, rate in links]
            print(f"  5 % loss + 50 ms jitter: median {statistics.median(rates):.1f}, "
                  f"worst {min(rates):.1f} frames/s")  # fmt: skip
            for label, signaling in (("media cut", False), ("full cut (media + signaling)", True)):
                results = []
                for n in range(runs):
                    run_folder = folder / f"{int(signaling)}-{n}"
                    run_folder.mkdir()
                    results.append(await one_cut(turn, run_folder, picture, cut_s, signaling))
                summarize(label, results)
            (folder / "bad").mkdir()
            await bad_line(turn, folder / "bad", picture, 10.0)


if __name__ == "__main__":
    station_loop.run(main())
