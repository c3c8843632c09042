"""Cameras beyond USB: a video file played as a camera, and an IP camera over RTSP (served on
127.0.0.1 by GStreamer's RTSP server) that comes back by itself after its server went away."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time

import pytest
from rtsp_camera import RtspCamera

from recording.media.capture import CameraTrack
from recording.media.devices import SYNTHETIC, DevicesUnavailable, open_media


async def frames(track: CameraTrack, count: int, timeout: float = 20.0) -> list:
    return [await asyncio.wait_for(track.recv(), timeout) for _ in range(count)]


async def test_a_video_file_plays_as_a_camera_in_real_time(tmp_path):
    path = tmp_path / "room.mp4"
    source = "testsrc=size=320x240:rate=25:duration=3"
    command = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", source, "-pix_fmt", "yuv420p",
               str(path)]  # fmt: skip
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=60)
    media = open_media("suspect", session_time=time.monotonic, camera=str(path),
                       microphone=SYNTHETIC)  # fmt: skip
    try:
        started = time.monotonic()
        got = await frames(media.video, 20)
        elapsed = time.monotonic() - started
        assert (got[0].width, got[0].height) == (320, 240)
        assert elapsed >= 0.6  # 20 pictures at 25 a second, not as fast as they decode
    finally:
        media.video.stop()
        media.audio.stop()


@pytest.mark.slow
async def test_an_ip_camera_is_read_and_comes_back_after_its_server_went_away():
    camera = RtspCamera()
    media = open_media("suspect", session_time=time.monotonic, camera=camera.url,
                       microphone=SYNTHETIC)  # fmt: skip
    try:
        got = await frames(media.video, 5)
        assert (got[0].width, got[0].height) == (640, 480)
        camera.stop()
        await asyncio.sleep(2.0)  # the stream breaks
        camera.start()  # the camera is back on the same address
        again = await frames(media.video, 5, timeout=30.0)
        assert len(again) == 5
        assert media.video.capture._source.reconnects >= 1
    finally:
        media.video.stop()
        media.audio.stop()
        camera.stop()


def test_an_ip_camera_that_cannot_be_reached_is_refused_in_words():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there
    with pytest.raises(DevicesUnavailable) as refused:
        url = f"rtsp://user:secret@127.0.0.1:{port}/camera"
        open_media("suspect", session_time=time.monotonic, camera=url, microphone=SYNTHETIC)
    [problem] = refused.value.problems
    assert problem.code == "camera_failed" and f"127.0.0.1:{port}/camera" in problem.message
    assert "secret" not in problem.message
