"""How the mesh reads remote pictures: a station shows the newest, the recorder takes them all."""

from __future__ import annotations

import asyncio

from aiortc.rtcrtpreceiver import RemoteStreamTrack
from av import VideoFrame

from session.rtc.mesh import MediaMesh


def picture(pts: int) -> VideoFrame:
    frame = VideoFrame(16, 16, "yuv420p")
    frame.pts = pts
    return frame


async def shown(latest_only: bool) -> list[int]:
    """Frames 0-9 arrive while the reader is busy, then the track ends; what is handed on."""
    seen: list[int] = []
    mesh = MediaMesh("suspect", [], lambda *a: asyncio.sleep(0), latest_only=latest_only,
                     on_frame=lambda peer, kind, frame, t: seen.append(frame.pts))  # fmt: skip
    track = RemoteStreamTrack("video")
    track._queue.put_nowait(picture(0))
    reading = asyncio.create_task(mesh._read("lawyer", track))
    await asyncio.sleep(0)  # the first picture is taken
    for pts in range(1, 10):
        track._queue.put_nowait(picture(pts))  # a backlog builds up meanwhile
    track._queue.put_nowait(None)
    await asyncio.wait_for(reading, 5)
    return seen


async def test_a_station_that_fell_behind_skips_to_the_newest_picture():
    seen = await shown(latest_only=True)
    assert seen[0] == 0 and seen[-1] == 9 and len(seen) < 10


async def test_the_recorder_takes_every_picture():
    assert await shown(latest_only=False) == list(range(10))
