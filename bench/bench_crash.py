"""What a crash costs: SIGKILL a live recorder and see how much of the recording survives.

  .venv/bin/python bench/bench_crash.py [RUNS] [CLUSTER_MS ...]

For each Matroska cluster length, RUNS times: a child process records three parties in real time
(pictures and sound handed over as they are captured) and is killed with SIGKILL after 3 to 6
seconds. The loss is the time between the kill and the end of the last packet in the file, for
the composite and for the parties' own files. Prints the mean and the worst loss per setting,
and how far behind the clock the writer was (on a busy machine it falls behind, and that part
is lost too; the rest is what the muxer held in memory).
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import av

REPO = Path(__file__).resolve().parents[1]

CHILD = """
    import sys, time
    from pathlib import Path
    import numpy as np
    from recording.recorder.recorder import CompositeRecorder
    from recording.media.synthetic import SyntheticVideoTrack

    def clock():  # session time: the system's monotonic clock, which the parent reads too
        return time.monotonic()

    roles = ["suspect", "prosecutor", "lawyer"]
    rec = CompositeRecorder(Path(sys.argv[1]), roles=roles, clock=clock,
                            wall_epoch=time.time() - clock(), label_font=None,
                            cluster_ms=int(sys.argv[2]))
    noise = np.random.default_rng(0)
    track = SyntheticVideoTrack("suspect")  # camera-like pictures: x264 works as in a session
    pictures = [track.render_i420(i) for i in range(25)]
    rec.start()
    print(rec.session_start, flush=True)
    progress = open(sys.argv[1] + ".progress", "w")
    n = 0
    while True:
        t = clock()
        if n % 5 == 0:  # how far the writer has got, for the parent to read after the kill
            progress.write(f"{t} {rec.written_until}\\n")
            progress.flush()
        for role in roles:
            rec.push_video(role, pictures[n % 25], t)
            rec.push_audio(role, noise.normal(0, 300, 1920).astype(np.int16), 48000, t)
        n += 1
        time.sleep(max(0.0, rec.session_start + n * 0.04 - clock()))
"""


def media_end(path: Path) -> float:
    """End of the last packet (seconds from the file's start); 0 for an unreadable file."""
    try:
        with av.open(str(path)) as container:
            ends = [
                float((p.pts + (p.duration or 0)) * p.time_base)
                for p in container.demux()
                if p.pts is not None and p.time_base is not None
            ]
        return max(ends, default=0.0)
    except (av.FFmpegError, OSError):
        return 0.0


def writer_lag(path: Path) -> float:
    """How far behind the clock the writer was at its last report before the kill."""
    lines = Path(str(path) + ".progress").read_text().split("\n")
    complete = [line.split() for line in lines[:-1]]  # the last may be cut by the kill
    now, written = (float(v) for v in complete[-1])
    return now - written


def one_run(folder: Path, cluster_ms: int, rng: random.Random) -> tuple[float, float, float]:
    path = folder / f"crash-{cluster_ms}-{rng.random():.6f}.mkv"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(path), str(cluster_ms)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert child.stdout is not None
    start = float(child.stdout.readline())
    time.sleep(rng.uniform(3.0, 6.0))
    os.kill(child.pid, signal.SIGKILL)
    killed = time.monotonic() - start
    child.wait()
    composite = killed - media_end(path)
    parties = [killed - media_end(p) for p in folder.glob(path.stem + ".*.mkv") if p != path]
    return composite, max(parties, default=float("nan")), writer_lag(path)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    settings = [int(v) for v in sys.argv[2:]] or [1000, 500, 250]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        for cluster_ms in settings:
            results = [one_run(Path(tmp), cluster_ms, rng) for _ in range(runs)]
            composite = [r[0] for r in results]
            parties = [r[1] for r in results]
            lag = [r[2] for r in results]
            mean = statistics.mean(composite)
            print(
                f"clusters of {cluster_ms:4d} ms: composite loses {mean:.2f} s "
                f"on average, {max(composite):.2f} s at worst; party files "
                f"{statistics.mean(parties):.2f} s / {max(parties):.2f} s; of which the writer "
                f"was behind {statistics.mean(lag):.2f} s / {max(lag):.2f} s ({runs} kills)"
            )


if __name__ == "__main__":
    main()
