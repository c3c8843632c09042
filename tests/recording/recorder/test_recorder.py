"""The composite recorder, checked on the files it writes (ffprobe, ffmpeg, PyAV decoding)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from repo import REPO

from recording.recorder.compositor import Layout
from recording.recorder.mixer import AudioMixer
from recording.recorder.recorder import (
    CompositeRecorder,
    RecordingError,
    RecordingInfo,
    RecordingInputError,
)
from session.clock import FakeClock

ROLES = ("suspect", "prosecutor", "lawyer")
RATE = 48_000
START = 50.0  # session time when recording starts: the file's t=0
WALL_EPOCH = 1_795_000_000.0
SECONDS = 10.0

RED, GREEN, BLUE = (0, 0, 200), (0, 200, 0), (200, 0, 0)
YELLOW, ORANGE = (0, 200, 200), (0, 120, 230)
CARD_GREY = (48, 48, 48)
LOST_RED = (24, 24, 96)  # BGR


def solid(colour: tuple[int, int, int]) -> np.ndarray:
    return np.full((480, 640, 3), colour, np.uint8)


def tone(t0: float, n: int, rate: int, freq: float, start: float, length: float, amp: float):
    """int16 samples for [t0, t0 + n/rate): a sine burst in [start, start+length), else silence."""
    t = t0 + np.arange(n) / rate
    burst = (t >= start) & (t < start + length)
    return (np.sin(2 * np.pi * freq * t) * amp * burst).astype(np.int16)


def feed_session(recorder: CompositeRecorder, clock: FakeClock) -> None:
    """Ten seconds of a three-party session, in 20 ms steps, as the event loop would feed it.

    - suspect: red, turns yellow at 4.0 s with a 2 kHz beep at the same instant (stereo 48 kHz
      with quiet noise);
    - prosecutor: green, orange from 3.0 s, every picture delivered 0.2 s late; 1 kHz tone at
      1.0-1.2 s;
    - lawyer: blue until 5.0 s, then no more pictures; 16 kHz audio with a 1.5 kHz tone at 2.5 s.
    """
    noise = np.random.default_rng(7)
    late: list[tuple[float, np.ndarray]] = []
    for step in range(round(SECONDS / 0.02)):
        now = clock()
        rel = now - START
        if step % 2 == 0:
            recorder.push_video("suspect", solid(YELLOW if rel >= 4.0 - 1e-9 else RED), now)
            late.append((now, solid(ORANGE if rel >= 3.0 - 1e-9 else GREEN)))
            if rel < 5.0 - 1e-9:
                recorder.push_video("lawyer", solid(BLUE), now)
        while late and late[0][0] <= now - 0.2 + 1e-9:
            t, picture = late.pop(0)
            recorder.push_video("prosecutor", picture, t)
        beep = tone(rel, 960, RATE, 2000, 4.0, 0.1, 9000)
        hiss = noise.normal(0, 60, (960, 2)).astype(np.int16)
        recorder.push_audio("suspect", np.stack([beep, beep], axis=1) + hiss, RATE, now)
        recorder.push_audio("prosecutor", tone(rel, 960, RATE, 1000, 1.0, 0.2, 9000), RATE, now)
        recorder.push_audio("lawyer", tone(rel, 320, 16_000, 1500, 2.5, 0.2, 9000), 16_000, now)
        clock.advance(0.02)
        recorder.run_until(clock())


@dataclass(frozen=True)
class Session:
    path: Path
    info: RecordingInfo


@pytest.fixture(scope="module")
def session(tmp_path_factory, cjk_font_path) -> Session:
    path = tmp_path_factory.mktemp("rec") / "session.mkv"
    clock = FakeClock(START)
    recorder = CompositeRecorder(
        path, roles=ROLES, clock=clock, wall_epoch=WALL_EPOCH, label_font=cjk_font_path,
        threaded=False,
    )  # fmt: skip
    recorder.start()
    feed_session(recorder, clock)
    return Session(path, recorder.stop())


@pytest.fixture(scope="module")
def cjk_font_path() -> Path | None:
    for candidate in (
        REPO / "assets" / "fonts" / "uming-cn.ttf",
        Path("/usr/share/fonts/truetype/lxgw/LXGWWenKai-Regular.ttf"),
        Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
    ):
        if candidate.is_file():
            return candidate
    return None


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def decode_errors(path: Path) -> str:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True,
    ).stderr  # fmt: skip


def decoded_audio(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le", "-ac", "1",
         "-ar", str(RATE), "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.int16).astype(np.float64)


def onset(samples: np.ndarray, freq: float, window: int = 240) -> float:
    """Seconds at which a tone of ``freq`` first reaches half its peak level (5 ms windows)."""
    n = len(samples) // window
    frames = samples[: n * window].reshape(n, window)
    phase = np.exp(-2j * np.pi * freq * np.arange(window) / RATE)
    level = np.abs(frames @ phase)
    return float(np.argmax(level > level.max() / 2) * window / RATE)


def last_packet_end(path: Path) -> float:
    """End time of the last packet; unlike the container duration, known after a crash too."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "packet=pts_time,duration_time",
         "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    ends = [sum(float(v) for v in line.split(",")[:2]) for line in out.split() if "," in line]
    return max(ends)


@pytest.fixture(scope="module")
def probes(session) -> list[tuple[float, dict[str, np.ndarray]]]:
    """For every decoded frame: its time and the colour at the centre of each party's area."""
    layout = Layout.plan(ROLES, (1280, 720))
    areas = {layout.main_role: layout.main, **dict(layout.tiles)}
    result = []
    with av.open(str(session.path)) as container:
        for frame in container.decode(video=0):
            image = frame.to_ndarray(format="bgr24")
            colours = {
                role: image[r.y + r.h // 2, r.x + r.w // 2].astype(int) for role, r in areas.items()
            }
            result.append((float(frame.time), colours))
    return result


def colour_at(probes, t: float, role: str) -> np.ndarray:
    return min(probes, key=lambda p: abs(p[0] - t))[1][role]


def near(pixel: np.ndarray, colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return bool(np.all(np.abs(pixel - np.array(colour)) <= tolerance))


def test_file_decodes_completely_with_the_expected_streams(session):
    assert decode_errors(session.path) == ""
    probe = ffprobe(session.path)
    video = [s for s in probe["streams"] if s["codec_type"] == "video"]
    audio = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and len(audio) == 1
    assert video[0]["codec_name"] == "h264"
    assert (video[0]["width"], video[0]["height"]) == (1280, 720)
    assert video[0]["pix_fmt"] == "yuv420p"
    assert video[0]["r_frame_rate"] == "25/1"
    assert audio[0]["codec_name"] == "aac"
    assert int(audio[0]["sample_rate"]) == RATE
    assert probe["format"]["format_name"].startswith("matroska")
    assert abs(float(probe["format"]["duration"]) - SECONDS) <= 0.1


def test_info_describes_the_recording(session):
    info = session.info
    assert info.path == session.path
    assert info.video_frames == 250
    assert info.duration_s == pytest.approx(SECONDS)
    assert info.audio_samples == round(SECONDS * RATE)
    assert info.dropped == 0


def test_every_party_is_in_its_place(probes):
    assert near(colour_at(probes, 2.0, "suspect"), RED)
    assert near(colour_at(probes, 2.0, "prosecutor"), GREEN)
    assert near(colour_at(probes, 2.0, "lawyer"), BLUE)


def test_late_pictures_still_land_at_their_own_time(probes):
    # The prosecutor's pictures arrived 0.2 s late, within the recorder's latency.
    changed = [t for t, colours in probes if near(colours["prosecutor"], ORANGE)]
    assert changed and min(changed) == pytest.approx(3.0, abs=1e-6)
    assert near(colour_at(probes, 2.96, "prosecutor"), GREEN)


def test_a_silent_party_shows_signal_lost_within_half_a_second(probes):
    assert near(colour_at(probes, 5.3, "lawyer"), BLUE)  # last picture (4.96 s) still shown
    assert near(colour_at(probes, 5.6, "lawyer"), LOST_RED, tolerance=10)
    assert near(colour_at(probes, 9.5, "lawyer"), LOST_RED, tolerance=10)


def test_a_tone_appears_at_its_session_time(session):
    audio = decoded_audio(session.path)
    assert len(audio) / RATE == pytest.approx(SECONDS, abs=0.05)
    assert onset(audio, 1000) == pytest.approx(1.0, abs=0.03)  # prosecutor, 48 kHz
    assert onset(audio, 1500) == pytest.approx(2.5, abs=0.03)  # lawyer, resampled from 16 kHz
    assert np.abs(audio[: int(0.9 * RATE)]).max() < 1000  # only quiet noise before the tones


def test_picture_and_sound_of_one_instant_stay_together(session, probes):
    flash = min(t for t, colours in probes if near(colours["suspect"], YELLOW))
    beep = onset(decoded_audio(session.path), 2000)
    assert flash == pytest.approx(4.0, abs=1e-6)
    assert beep == pytest.approx(4.0, abs=0.03)
    assert abs(flash - beep) <= 0.045


def test_threaded_recorder_writes_while_media_arrives(tmp_path):
    clock = FakeClock(0.0)
    path = tmp_path / "threaded.mkv"
    recorder = CompositeRecorder(
        path, roles=ROLES, clock=clock, wall_epoch=WALL_EPOCH, label_font=None
    )
    recorder.start()
    for step in range(100):
        for role, colour in zip(ROLES, (RED, GREEN, BLUE), strict=True):
            if step % 2 == 0:
                recorder.push_video(role, solid(colour), clock())
            recorder.push_audio(role, np.zeros(960, np.int16), RATE, clock())
        clock.advance(0.02)
        time.sleep(0.002)  # let the writer thread take its turn now and then
    info = recorder.stop()
    assert recorder.error is None
    assert info.video_frames == 50
    assert decode_errors(path) == ""
    assert abs(float(ffprobe(path)["format"]["duration"]) - 2.0) <= 0.1


def test_buffers_are_bounded_and_drops_counted(tmp_path):
    clock = FakeClock(0.0)
    recorder = CompositeRecorder(
        tmp_path / "drops.mkv", roles=ROLES, clock=clock, wall_epoch=0.0, label_font=None,
        threaded=False,
    )  # fmt: skip
    recorder.start()
    picture = solid(RED)
    for k in range(200):  # a writer that never ran: 8 s of pictures pile up
        recorder.push_video("suspect", picture, k * 0.04)
    clock.advance(1.0)
    info = recorder.stop()
    assert 80 <= info.dropped_video_frames < 200
    assert info.dropped == info.dropped_video_frames


def test_bad_media_is_refused_with_a_clear_error(tmp_path):
    recorder = CompositeRecorder(
        tmp_path / "bad.mkv", roles=ROLES, clock=FakeClock(), wall_epoch=0.0, label_font=None,
        threaded=False,
    )  # fmt: skip
    with pytest.raises(RecordingInputError, match="unknown party 'judge'"):
        recorder.push_video("judge", solid(RED), 0.0)
    with pytest.raises(RecordingInputError, match="must be uint8"):
        recorder.push_video("suspect", np.zeros((481, 640), np.uint8), 0.0)
    with pytest.raises(RecordingInputError, match="must be uint8"):
        recorder.push_video("suspect", np.zeros((480, 640, 4), np.uint8), 0.0)
    with pytest.raises(RecordingInputError, match="int16"):
        recorder.push_audio("suspect", np.zeros(960, np.float32), RATE, 0.0)
    with pytest.raises(RecordingInputError, match="sample rate"):
        recorder.push_audio("suspect", np.zeros(960, np.int16), 0, 0.0)


def test_an_existing_recording_is_never_overwritten(tmp_path):
    path = tmp_path / "earlier.mkv"
    path.write_bytes(b"earlier evidence")
    clock = FakeClock()
    recorder = CompositeRecorder(
        path, roles=ROLES, clock=clock, wall_epoch=0.0, label_font=None, threaded=False
    )
    recorder.start()
    clock.advance(0.5)
    info = recorder.stop()
    assert path.read_bytes() == b"earlier evidence"
    assert info.path == tmp_path / "earlier.001.mkv"
    assert decode_errors(info.path) == ""


def test_an_unwritable_place_fails_at_start(tmp_path):
    recorder = CompositeRecorder(
        tmp_path / "missing" / "x.mkv", roles=ROLES, clock=FakeClock(), wall_epoch=0.0,
        label_font=None,
    )  # fmt: skip
    with pytest.raises(RecordingError, match="cannot create"):
        recorder.start()


def run_script(body: str, *args: str, limit_file_size: int | None = None) -> subprocess.Popen:
    """Start ``body`` as a Python script in a subprocess that imports the project."""
    prologue = ""
    if limit_file_size is not None:
        prologue = textwrap.dedent(f"""
            import resource, signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # report EFBIG instead of dying
            resource.setrlimit(resource.RLIMIT_FSIZE, ({limit_file_size}, {limit_file_size}))
        """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", prologue + textwrap.dedent(body), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )  # fmt: skip


DISK_FULL_SCRIPT = """
    import json, sys, time
    from pathlib import Path
    import numpy as np
    from recording.recorder.recorder import CompositeRecorder, RecordingError
    from session.clock import FakeClock

    clock = FakeClock()
    rec = CompositeRecorder(Path(sys.argv[1]), roles=["suspect"], clock=clock, wall_epoch=0.0,
                            label_font=None)
    rec.start()
    noise = np.random.default_rng(0)
    picture = np.zeros((480, 640, 3), np.uint8)
    for step in range(1000):
        picture = picture.copy()
        picture[200:296, 260:380] = noise.integers(0, 255, (96, 120, 3), np.uint8)
        rec.push_video("suspect", picture, clock())
        clock.advance(0.04)
        time.sleep(0.002)
        if rec.error is not None:
            break
    try:
        rec.stop()
        result = {"raised": None}
    except RecordingError as exc:
        result = {"raised": type(exc).__name__, "message": str(exc), "seen": rec.error is exc}
    print(json.dumps(result))
"""


def test_a_full_disk_is_reported_not_lost(tmp_path):
    path = tmp_path / "full.mkv"
    child = run_script(DISK_FULL_SCRIPT, str(path), limit_file_size=1_000_000)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    result = json.loads(out)
    assert result["raised"] == "RecordingError"
    assert result["seen"] is True
    assert str(path) in result["message"] and "File too large" in result["message"]
    assert "the disk is full" in result["message"]  # in plain words, with what to do
    # What was written before the failure is still a readable recording.
    assert ffprobe(path)["streams"][0]["codec_name"] == "h264"
    assert last_packet_end(path) > 1.0


CRASH_SCRIPT = """
    import sys, time
    from pathlib import Path
    import numpy as np
    from recording.recorder.recorder import CompositeRecorder
    from recording.media.synthetic import SyntheticVideoTrack

    origin = time.monotonic()
    def clock():
        return time.monotonic() - origin

    roles = ["suspect", "prosecutor", "lawyer"]
    rec = CompositeRecorder(Path(sys.argv[1]), roles=roles, clock=clock,
                            wall_epoch=time.time() - clock(), label_font=None)
    noise = np.random.default_rng(0)
    # Camera-like pictures (random noise would make x264 many times slower than a session).
    pictures = {role: SyntheticVideoTrack(role).render(7) for role in roles}
    rec.start()
    print("recording", flush=True)
    n = 0
    while True:
        t = clock()
        for role in roles:
            rec.push_video(role, pictures[role], t)
            rec.push_audio(role, noise.normal(0, 300, 1920).astype(np.int16), 48000, t)
        n += 1
        time.sleep(max(0.0, n * 0.04 - clock()))
"""


@pytest.mark.slow
@pytest.mark.e2e
def test_a_killed_recorder_leaves_a_readable_file(tmp_path):
    path = tmp_path / "killed.mkv"
    child = run_script(CRASH_SCRIPT, str(path))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "recording"
    started = time.monotonic()
    time.sleep(3.0)
    child.kill()  # SIGKILL: no chance to close the file
    killed_after = time.monotonic() - started
    child.communicate(timeout=30)
    assert decode_errors(path) == ""
    recorded = last_packet_end(path)
    # Lost: at most the quarter-second Matroska cluster being built, plus the frame being made
    # and a little scheduling slack for a busy machine: under a second.
    assert killed_after - 1.0 <= recorded <= killed_after + 0.2


def test_jittered_audio_chunks_are_laid_end_to_end():
    mixer = AudioMixer(RATE)
    signal = (np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE) * 10_000).astype(np.int16)
    jitter = np.random.default_rng(3).integers(-144, 145, 50)  # +-3 ms of timestamp noise
    jitter[0] = 0  # the first chunk sets the party's place; the others follow on from it
    for k in range(50):
        mixer.add("suspect", signal[k * 960 : (k + 1) * 960], RATE, k * 960 + int(jitter[k]))
    assert np.array_equal(mixer.take(RATE), signal)  # no gap, no overlap, no click


def test_parties_are_summed_with_clipping_and_late_audio_is_not_moved():
    mixer = AudioMixer(RATE)
    loud = np.full(480, 30_000, np.int16)
    mixer.add("suspect", loud, RATE, 0)
    mixer.add("lawyer", loud, RATE, 240)
    mixed = mixer.take(960)
    assert mixed[:240].tolist() == [30_000] * 240
    assert mixed[240:480].tolist() == [32_767] * 240  # clipped, not wrapped around
    assert mixed[720:].tolist() == [0] * 240  # silence where nobody sent anything
    mixer.add("prosecutor", loud, RATE, 500)  # arrives after its place was written
    assert mixer.late_samples == 460
    assert mixer.take(960)[:20].tolist() == [30_000] * 20


def test_decoder_pictures_in_i420_are_placed_like_bgr_ones(tmp_path):
    # WebRTC decoders hand over yuv420p; the recorder takes it without a colour conversion.
    clock = FakeClock(0.0)
    path = tmp_path / "i420.mkv"
    recorder = CompositeRecorder(
        path, roles=ROLES, clock=clock, wall_epoch=0.0, label_font=None, threaded=False
    )
    recorder.start()
    i420 = {role: cv2.cvtColor(solid(c), cv2.COLOR_BGR2YUV_I420) for role, c in
            zip(ROLES, (RED, GREEN, BLUE), strict=True)}  # fmt: skip
    for k in range(25):
        for role, picture in i420.items():
            recorder.push_video(role, picture, k * 0.04)
        clock.advance(0.04)
        recorder.run_until(clock())
    clock.advance(0.5)
    recorder.stop()
    layout = Layout.plan(ROLES, (1280, 720))
    areas = {layout.main_role: layout.main, **dict(layout.tiles)}
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    image = frames[len(frames) // 2]
    for role, colour in zip(ROLES, (RED, GREEN, BLUE), strict=True):
        r = areas[role]
        assert near(image[r.y + r.h // 2, r.x + r.w // 2].astype(int), colour), role
