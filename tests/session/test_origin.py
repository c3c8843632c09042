"""Capture times cross the network: a microphone's drifting clock is followed by the receiver."""

from __future__ import annotations

from fractions import Fraction

import pytest
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

from session.rtc.mesh import _OriginTrack

RATE = 48_000


class DriftingMicrophone(MediaStreamTrack):
    """20 ms chunks whose sample clock runs 100 ppm slow against the session clock."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def capture_time(self, pts: int) -> float:
        return 1000.0 + (pts / RATE) * (1 + 100e-6)

    async def recv(self) -> AudioFrame:
        frame = AudioFrame(format="s16", layout="mono", samples=960)
        frame.sample_rate, frame.pts, frame.time_base = RATE, self.sent, Fraction(1, RATE)
        self.sent += 960
        return frame


async def test_the_receiver_places_late_audio_at_its_capture_time_despite_drift():
    microphone = DriftingMicrophone()
    reports: list[tuple[float, float]] = []
    link = _OriginTrack(microphone, microphone, lambda: 0.0, lambda m, c: reports.append((m, c)))
    for _ in range(50 * 3600):  # an hour of sound
        frame = await link.recv()
    assert len(reports) == 3600 // 5  # at 0, 5, 10 ... 3595 s
    # The receiver's pts start at zero at the first frame; it uses the latest report.
    received_pts_seconds = frame.pts / RATE
    media_time, capture_time = reports[-1]
    placed = capture_time + received_pts_seconds - media_time
    assert placed == pytest.approx(microphone.capture_time(frame.pts), abs=0.001)
    # With the first report alone the hour's drift would be a third of a second.
    first_media, first_capture = reports[0]
    naive = first_capture + received_pts_seconds - first_media
    assert abs(naive - microphone.capture_time(frame.pts)) > 0.3
