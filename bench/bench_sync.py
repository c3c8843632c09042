"""Audio/video sync of the recorder, measured with the clapper (``pleadesk analyse-sync``).

Three simulated parties follow the clapper protocol with realistic imperfections: network
delays of 60-250 ms, microphones whose sample clocks run 80-150 ppm fast or slow, callback
jitter of up to 3 ms, and one camera that takes its pictures 4 ms after the frame grid (the
others on it; a 25 fps camera at an arbitrary phase sees a 40 ms flash up to 40 ms late, which
is the camera's sampling, not the recording's error). Nothing is shifted on purpose, so the
skew the analysis reports is the recording's own error.

  .venv/bin/python bench/bench_sync.py short [SECONDS]      fake clock, 1280x720 at 25 fps
  .venv/bin/python bench/bench_sync.py long [HOURS] [FPS]   compressed time: 2 hours by default,
                                                            704x576 at 5 fps (to finish in
                                                            minutes), composite only
  .venv/bin/python bench/bench_sync.py realtime [SECONDS]   real clock and writer thread

Each prints the analysis table and the CPU time used.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from recording.recorder.recorder import CompositeRecorder
from recording.sync.analysis import analyse_files
from recording.sync.clapper_rig import ClapperRig, PartyTiming
from session.clock import FakeClock

ROLES = ("suspect", "prosecutor", "lawyer")
TIMINGS = {
    "suspect": PartyTiming(delay=0.06, camera_phase=0.0, audio_ppm=80.0),
    "prosecutor": PartyTiming(delay=0.25, camera_phase=0.1, audio_ppm=-150.0),
    "lawyer": PartyTiming(delay=0.12, camera_phase=0.0, audio_ppm=120.0),
}


def report(paths: list[Path], label: str) -> None:
    started = time.perf_counter()
    result = analyse_files(paths)
    print(f"--- {label} (analysed in {time.perf_counter() - started:.0f} s)")
    print(result.to_text())


def fake_clock_run(
    out: Path, seconds: float, *, fps: int, size: tuple[int, int], party_files: bool
) -> tuple[list[Path], list[Path]]:
    start = 1000.3
    clock = FakeClock(start)
    recorder = CompositeRecorder(
        out, roles=ROLES, clock=clock, wall_epoch=time.time() - start, label_font=None,
        threaded=False, fps=fps, size=size, party_files=party_files,
    )  # fmt: skip
    rig = ClapperRig(recorder, ROLES, TIMINGS, start=start, compressed=party_files)
    recorder.start()
    cpu = time.process_time()
    rig.run(clock, clock.advance, start + seconds, after_step=recorder.run_until)
    info = recorder.stop()
    cpu = time.process_time() - cpu
    print(
        f"recorded {info.duration_s:.0f} s of session time in {cpu:.0f} s of CPU "
        f"({info.video_frames} frames at {fps} fps, {size[0]}x{size[1]}); "
        f"late audio samples {info.late_audio_samples}, dropped {info.dropped}"
    )
    return list(info.segments), list(info.party_files)


def realtime_run(out: Path, seconds: float) -> tuple[list[Path], list[Path]]:
    origin = time.monotonic()

    def clock() -> float:
        return 1000.3 + time.monotonic() - origin

    recorder = CompositeRecorder(
        out, roles=ROLES, clock=clock, wall_epoch=time.time() - clock(), label_font=None
    )
    rig = ClapperRig(recorder, ROLES, TIMINGS, start=clock())
    recorder.start()
    cpu = time.process_time()
    while clock() < 1000.3 + seconds:
        rig.step(clock())
        time.sleep(0.01)
    info = recorder.stop()
    cpu = time.process_time() - cpu
    print(
        f"recorded {info.duration_s:.0f} s in real time; process CPU {cpu:.0f} s "
        f"({cpu / seconds * 100:.0f}% of one core, rig included); late audio samples "
        f"{info.late_audio_samples}, dropped {info.dropped}"
    )
    return list(info.segments), list(info.party_files)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "short"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sync.mkv"
        if mode == "short":
            seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
            segments, own = fake_clock_run(out, seconds, fps=25, size=(1280, 720), party_files=True)
        elif mode == "long":
            hours = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
            fps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
            segments, own = fake_clock_run(
                out, hours * 3600, fps=fps, size=(704, 576), party_files=False
            )
        elif mode == "realtime":
            seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
            segments, own = realtime_run(out, seconds)
        else:
            raise SystemExit(f"unknown mode {mode!r}: short, long or realtime")
        report(segments, f"composite ({len(segments)} segment(s))")
        if own:
            report(own, "party files")


if __name__ == "__main__":
    main()
