"""Speed of the composite recorder: three 640x480 parties -> 1280x720 H.264 + AAC.

Run on one core:  taskset -c 0 .venv/bin/python bench/bench_recorder.py [SECONDS] [NOISE]
NOISE is the standard deviation of per-frame noise added to the synthetic pattern (camera grain).
Pictures are handed over as I420, as WebRTC decoders deliver them.

Prints, by CPU time (which ignores other load on a shared machine) and by wall time:
- the composite alone (what must run at >= 2x real time on one core);
- the composite plus each party's own file (the cost of the party files: the pictures arrive
  compressed and are written as they came, so mostly the sound's AAC), on the same thread, as
  in a live recorder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from recording.media.synthetic import SyntheticVideoTrack
from recording.media.vp8 import PictureEncoder
from recording.recorder.recorder import CompositeRecorder
from session.clock import FakeClock

ROLES = ("suspect", "prosecutor", "lawyer")


def camera_frames(role: str, noise: float, count: int = 50) -> list[np.ndarray]:
    """Synthetic I420 pictures with grain, made before timing starts."""
    track = SyntheticVideoTrack(role)
    rng = np.random.default_rng(len(role))
    frames = []
    for i in range(count):
        grain = rng.normal(0, noise, (480, 640, 3)) if noise else 0
        bgr = np.clip(track.render(i) + grain, 0, 255).astype(np.uint8)
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420))
    return frames


def compressed(frames: list[np.ndarray]) -> list[bytes]:
    """The pictures compressed as a station sends them; the first is a key frame, so the
    list can be sent over and over."""
    encoder = PictureEncoder()
    return [encoder.encode(frame) for frame in frames]


def run(
    seconds: float,
    frames: dict[str, list[np.ndarray]],
    sent: dict[str, list[bytes]],
    party_files: bool,
) -> str:
    """Record ``seconds`` as fast as possible; returns a line of figures."""
    chunk = (np.random.default_rng(0).standard_normal(960) * 300).astype(np.int16)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mkv"
        clock = FakeClock()
        recorder = CompositeRecorder(
            out, roles=ROLES, clock=clock, wall_epoch=time.time(), label_font=None,
            threaded=False, party_files=party_files,
        )  # fmt: skip
        recorder.start()
        wall, cpu = time.perf_counter(), time.process_time()
        for step in range(round(seconds / 0.02)):
            t = clock()
            for role in ROLES:
                if step % 2 == 0:  # a fresh array per picture, as decoded video arrives
                    recorder.push_video(role, frames[role][(step // 2) % 50].copy(), t)
                    recorder.push_encoded(role, sent[role][(step // 2) % 50], t)
                recorder.push_audio(role, chunk, 48_000, t)
            clock.advance(0.02)
            recorder.run_until(clock())
        info = recorder.stop()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rate = out.stat().st_size * 8 / info.duration_s / 1e6
        party_rate = sum(p.stat().st_size for p in info.party_files) * 8 / info.duration_s / 1e6
    n = info.video_frames
    what = "composite + party files" if party_files else "composite alone        "
    return (
        f"{what}: {n} frames, {n / wall:.1f} fps wall, {n / cpu:.1f} fps CPU "
        f"({n / cpu / 25:.2f}x real time at 25 fps, {cpu / n * 1000:.1f} ms CPU per frame); "
        f"composite {rate:.2f} Mbit/s, party files {party_rate:.2f} Mbit/s"
    )


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 12.0
    noise = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5
    frames = {role: camera_frames(role, noise) for role in ROLES}
    sent = {role: compressed(frames[role]) for role in ROLES}
    print(run(seconds, frames, sent, party_files=False))
    print(run(seconds, frames, sent, party_files=True))


if __name__ == "__main__":
    main()
