"""Echo cancelling on a station's microphone (``recording.media.echo.RoomSound``).

    .venv/bin/python bench/bench_echo.py

A voice-like far end (-20 dBFS) played on the speaker comes back through the microphone (the
room of ``tests/support/voices.py``: 40 ms, half as loud, a short tail). Printed: the echo
return loss enhancement with the near end silent, after the canceller found the echo path (the
last 3 of 8 s) and in the second second; with the near talker alone; and in double talk (both
talking at the same level), after its first second, how much the near talker is attenuated
in the frames where it is at least 10 dB above the echo (negative: louder, the echo left in
it); and the CPU per 10 ms of sound. Where ``pywebrtc-audio`` is installed
(``pip install pywebrtc-audio``), its AEC3 is measured beside it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from voices import RATE, room_echo, voice

from recording.media.echo import RoomSound

BLOCK = 960


def db(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(max(np.mean(a**2), 1e-9) / max(np.mean(b**2), 1e-9)))


def run(room, far: np.ndarray, mic: np.ndarray) -> tuple[np.ndarray, float]:
    out, cpu = [], 0.0
    for i in range(0, len(far), BLOCK):
        room.played(far[i : i + BLOCK].astype(np.int16))
        started = time.process_time()
        out.append(room.cleaned(np.clip(mic[i : i + BLOCK], -32768, 32767).astype(np.int16)))
        cpu += time.process_time() - started
    return np.concatenate(out).astype(float), cpu / (len(far) / (RATE / 100))


class PyWebrtcAudio:
    """``pywebrtc-audio``'s processor (AEC3 and noise suppression), the peer measured beside."""

    def __init__(self, rate: int) -> None:
        from pywebrtc_audio import AudioProcessor

        self._ap = AudioProcessor(sample_rate=rate, num_channels=1, echo_cancellation=True,
                                  noise_suppression=True)  # fmt: skip

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        return np.asarray(self._ap.process(near, far), np.int16).reshape(-1)


def measure(name: str, make) -> None:
    far = voice(8.0, 120.0, seed=1)
    echo = room_echo(far)
    out, cpu = run(make(), far, echo)
    settled, second = slice(5 * RATE, 8 * RATE), slice(RATE, 2 * RATE)
    room = make()
    run(room, far, echo)
    near = voice(3.0, 210.0, seed=2)
    alone, _ = run(room, np.zeros_like(near), near)
    both_far, both_near = voice(3.0, 120.0, seed=4), voice(3.0, 210.0, seed=5)
    both_echo = room_echo(both_far)
    both, _ = run(room, both_far, both_echo + both_near)
    frames = [slice(i, i + 480) for i in range(RATE, len(both), 480)]  # after 1 s of it
    loud = [f for f in frames if db(both_near[f], both_echo[f]) >= 10 and both_near[f].any()]
    double = float(np.median([db(both_near[f], both[f]) for f in loud])) if loud else float("nan")
    erle, early = db(echo[settled], out[settled]), db(echo[second], out[second])
    passed = db(near[RATE:], alone[RATE:])
    print(f"{name:38} ERLE settled {erle:5.1f} dB, in the second second {early:5.1f} dB; "
          f"near talker alone attenuated {passed:.1f} dB, in double talk {double:+.1f} dB; "
          f"CPU {cpu * 1e6:4.0f} us per 10 ms")  # fmt: skip


def main() -> None:
    print("command: .venv/bin/python bench/bench_echo.py")
    measure("RoomSound: LiveKit's WebRTC module", RoomSound)
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError:
        print("pywebrtc-audio is not installed: not measured beside")
    else:
        measure("pywebrtc-audio (AEC3 + noise suppr.)", lambda: RoomSound(processor=PyWebrtcAudio))


if __name__ == "__main__":
    main()
