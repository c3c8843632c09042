"""Cameras and microphones: stamping on the session clock, tracks, devices, fallbacks."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from recording.media.capture import CameraCapture, CameraTrack, MicrophoneCapture, MicrophoneTrack
from recording.media.devices import (
    SYNTHETIC,
    CameraDevice,
    DevicesUnavailable,
    MicrophoneDevice,
    choose,
    list_cameras,
    list_microphones,
    open_media,
)
from recording.media.sample_clock import SampleClock
from recording.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack


class SteppingClock:
    """Session time that moves on by ``step`` each time it is read (thread-safe)."""

    def __init__(self, start: float, step: float) -> None:
        self.t, self.step = start, step
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.t += self.step
            return self.t


class FakeCamera:
    """A cv2.VideoCapture stand-in: numbered grey pictures, then (optionally) unplugged."""

    def __init__(self, frames: int, clock: SteppingClock, fail_after: int | None = None):
        self.frames, self.clock, self.fail_after = frames, clock, fail_after
        self.grabs = 0
        self.grab_times: list[float] = []
        self.released = threading.Event()
        self.gate = threading.Semaphore(0)

    def isOpened(self) -> bool:  # OpenCV's name
        return True

    def grab(self) -> bool:
        self.gate.acquire(timeout=2)
        self.grabs += 1
        if self.fail_after is not None and self.grabs > self.fail_after:
            return False
        self.grab_times.append(self.clock.t)
        return True

    def retrieve(self):
        value = self.grabs % 200
        return True, np.full((480, 640, 3), value, np.uint8)

    def release(self) -> None:
        self.released.set()


async def test_camera_frames_are_stamped_right_after_grab_and_only_the_newest_is_kept():
    clock = SteppingClock(100.0, 0.001)
    camera = FakeCamera(10, clock)
    capture = CameraCapture(camera, clock=clock, name="test camera")
    track = CameraTrack(capture)
    capture.start()
    for _ in range(3):  # three pictures before anyone takes one: only the newest stays
        camera.gate.release()
    await asyncio.sleep(0.2)
    frame = await track.recv()
    assert capture.replaced == 2
    t = track.capture_time(frame.pts)
    # Stamped by the clock reading right after the third grab (a millisecond later).
    assert t == pytest.approx(camera.grab_times[2] + 0.001, abs=1e-9)
    assert frame.format.name == "yuv420p" and (frame.width, frame.height) == (640, 480)
    camera.gate.release()
    second = await track.recv()
    assert second.pts > frame.pts
    elapsed = (second.pts - frame.pts) / 90_000
    assert elapsed == pytest.approx(track.capture_time(second.pts) - t, abs=1e-4)
    track.stop()
    assert camera.released.wait(2)


async def test_an_unplugged_camera_ends_its_track_and_says_why():
    clock = SteppingClock(0.0, 0.001)
    camera = FakeCamera(10, clock, fail_after=1)
    capture = CameraCapture(camera, clock=clock, name="USB camera", max_failures=3,
                            sleep=lambda s: None)  # fmt: skip
    track = CameraTrack(capture)
    capture.start()
    for _ in range(10):
        camera.gate.release()
    await track.recv()
    with pytest.raises(MediaStreamError):
        for _ in range(3):
            await track.recv()
    assert capture.problem == "the camera USB camera stopped delivering pictures"


@pytest.fixture
def clip(tmp_path) -> Path:
    """One second of a test picture, as a file OpenCV can open like a camera."""
    clip = tmp_path / "clip.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:d=1",
         "-c:v", "libx264", "-preset", "ultrafast", str(clip)],
        check=True,
    )  # fmt: skip
    return clip


async def test_opencv_reads_a_video_file_as_a_camera(clip):
    clock = SteppingClock(5.0, 0.0001)
    capture = CameraCapture(cv2.VideoCapture(str(clip)), clock=clock, pace_fps=100)
    track = CameraTrack(capture)
    capture.start()
    frames = []
    with pytest.raises(MediaStreamError):  # the file ends like an unplugged camera
        while True:
            frames.append(await asyncio.wait_for(track.recv(), 5))
    assert 3 <= len(frames) <= 25
    assert (frames[0].width, frames[0].height) == (320, 240)
    times = [track.capture_time(f.pts) for f in frames]
    assert all(b > a for a, b in itertools.pairwise(times))


class FakeStream:
    latency = 0.01

    def __init__(self, callback) -> None:
        self.callback = callback
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


async def test_microphone_blocks_are_timed_by_sample_count():
    clock = SteppingClock(40.0, 0.0)
    streams: list[FakeStream] = []

    def factory(rate, block, device, callback):
        streams.append(FakeStream(callback))
        return streams[-1]

    mic = MicrophoneCapture(clock=clock, device=3, stream_factory=factory)
    track = MicrophoneTrack(mic)
    mic.start()
    jitter = [0.004, 0.0, 0.002, 0.001]
    for k in range(4):
        clock.t = 40.0 + (k + 1) * 0.02 + jitter[k]  # the callback runs a little late
        streams[0].callback(np.full((960, 1), k, np.int16), 960, None, None)
    frames = [await track.recv() for _ in range(4)]
    assert [f.pts for f in frames] == [0, 960, 1920, 2880]
    first = track.capture_time(0)
    # Anchored once (the first block's end minus its length and the input latency) ...
    assert first == pytest.approx(40.02 + 0.004 - 0.02 - 0.01)
    # ... then counted: the callbacks' jitter does not reach the timestamps.
    assert [track.capture_time(f.pts) - first for f in frames] == pytest.approx(
        [0.0, 0.02, 0.04, 0.06]
    )
    assert frames[2].to_ndarray().max() == 2
    track.stop()
    assert streams[0].closed


def test_the_sample_clock_follows_a_drifting_microphone_for_two_hours():
    rate, block = 48_000, 4800  # 100 ms blocks: two hours in 72,000 steps
    for ppm in (+150.0, -150.0):
        stamps = SampleClock(rate)
        rng = np.random.default_rng(1)
        true_rate = rate * (1 + ppm * 1e-6)
        worst = 0.0
        for k in range(72_000):
            done = 10.0 + (k + 1) * block / true_rate  # true time of the block's last sample
            t = stamps.stamp(block, done + rng.uniform(0, 0.004))
            if k > 100:  # after the first seconds, which take out the first callback's delay
                worst = max(worst, abs(t - (10.0 + k * block / true_rate)))
        assert worst < 0.004, ppm  # within the callbacks' jitter, after two hours
        assert abs(stamps.corrected) == pytest.approx(7200 * 150e-6, rel=0.05)


def test_cameras_are_listed_from_video4linux(tmp_path):
    for node, name, index in (("video0", "Integrated Camera", "0"), ("video1", "meta", "1"),
                              ("video2", "USB Camera", "0")):  # fmt: skip
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        (tmp_path / node / "index").write_text(index + "\n")
    cameras = list_cameras(tmp_path)
    assert cameras == [
        CameraDevice(0, "Integrated Camera", "/dev/video0"),
        CameraDevice(2, "USB Camera", "/dev/video2"),
    ]
    assert choose(cameras, "usb") == cameras[1]
    assert choose(cameras, "2") == cameras[1]
    assert choose(cameras, None) == cameras[0]
    assert choose(cameras, "nothing like it") is None
    assert list_cameras(tmp_path / "absent") == []


def test_microphones_are_listed_from_portaudio():
    devices = [
        {"name": "HDMI out", "max_input_channels": 0, "default_samplerate": 48000.0},
        {"name": "USB mic", "max_input_channels": 1, "default_samplerate": 44100.0},
    ]
    mics, problem = list_microphones(lambda: devices)
    assert mics == [MicrophoneDevice(1, "USB mic", 1, 44100.0)] and problem is None

    def broken():
        raise RuntimeError("Error querying device -1")

    mics, problem = list_microphones(broken)
    assert mics == [] and problem is not None and problem.code == "microphones_unreadable"


def test_the_devices_command_lists_what_there_is(capsys):
    import argparse

    from desktop.cli.recording import register

    parser = argparse.ArgumentParser(prog="pleadesk")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["devices", "--json"])
    assert args.run(args) == 0
    listed = json.loads(capsys.readouterr().out)
    assert set(listed) == {"cameras", "microphones", "speakers", "warnings"}


async def test_without_devices_nothing_stands_in_and_the_user_is_told_before_joining():
    with pytest.raises(DevicesUnavailable) as refused:
        open_media("lawyer", session_time=lambda: 0.0, cameras=[], microphones=[])
    codes = [p.code for p in refused.value.problems]
    assert codes == ["no_camera", "no_microphone"]
    assert "No camera was found" in refused.value.problems[0].message
    assert "before joining" in refused.value.problems[1].message


async def test_synthetic_devices_only_when_asked_for_by_name():
    choice = open_media("lawyer", session_time=lambda: 0.0, camera=SYNTHETIC, microphone=SYNTHETIC)
    assert isinstance(choice.video, SyntheticVideoTrack)
    assert isinstance(choice.audio, SyntheticAudioTrack)
    assert choice.synthetic


async def test_real_devices_are_opened_as_capture_tracks():
    clock = SteppingClock(0.0, 0.001)
    camera = FakeCamera(10, clock)
    opened: list[object] = []

    def opener(index):
        opened.append(index)
        return camera

    def factory(rate, block, device, callback):
        opened.append(("mic", device, rate, block))
        return FakeStream(callback)

    choice = open_media(
        "suspect", session_time=clock, camera="usb", microphone=None,
        cameras=[CameraDevice(0, "Built-in", "/dev/video0"), CameraDevice(4, "USB", "/dev/video4")],
        microphones=[MicrophoneDevice(7, "Array mic", 2, 48000.0)],
        opener=opener, stream_factory=factory,
    )  # fmt: skip
    assert opened == [4, ("mic", 7, 48000, 960)]
    assert isinstance(choice.video, CameraTrack) and isinstance(choice.audio, MicrophoneTrack)
    assert not choice.synthetic
    choice.video.stop()
    choice.audio.stop()


class ClosedCamera:
    def isOpened(self) -> bool:  # OpenCV's name
        return False

    def release(self) -> None:
        pass


async def test_a_camera_that_cannot_be_opened_is_refused_and_the_microphone_closed_again():
    streams = []

    def factory(rate, block, device, callback):
        streams.append(FakeStream(callback))
        return streams[-1]

    with pytest.raises(DevicesUnavailable) as refused:
        open_media(
            "prosecutor", session_time=lambda: 0.0, stream_factory=factory,
            microphones=[MicrophoneDevice(7, "Array mic", 2, 48000.0)],
            cameras=[CameraDevice(0, "Busy cam", "/dev/video0")],
            opener=lambda index: ClosedCamera(),
        )  # fmt: skip
    [problem] = refused.value.problems
    assert problem.code == "camera_failed" and "Busy cam could not be opened" in problem.message
    assert streams and streams[0].closed
