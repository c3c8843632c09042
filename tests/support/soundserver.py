"""A PulseAudio server of the test's own, with each party's room, microphone and speaker.

For every role R it makes:

- ``R_room``: a null sink, the air of R's room: what the test plays there (R talking) is
  what R's microphone hears;
- ``R_mic``: a source remapped from ``R_room``'s monitor, R's microphone;
- ``R_speaker``: a null sink, R's speaker: what R's station plays; its monitor is what the test
  records to know what R heard.

PortAudio (through ALSA's pulse plugin) sees ``R_in`` (the microphone) and ``R_out`` (the
speaker) as named devices, from an ``.asoundrc`` in the server's own home folder. Nothing of
the machine's own sound set-up is touched: the server, its socket and its clients' state all
live in the test's temporary folder, and :meth:`SoundServer.environment` is what a process
needs to use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

RATE = 48_000


class SoundServer:
    """A running PulseAudio server with rooms, microphones and speakers for ``roles``."""

    def __init__(self, folder: Path, roles: tuple[str, ...]) -> None:
        if shutil.which("pulseaudio") is None:
            raise RuntimeError("PulseAudio is missing: ./dev setup installs it")
        self.folder, self.roles = folder, roles
        for name in ("run", "state", "home"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        self.socket = folder / "run" / "native"
        script = [f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}"]
        asound = []
        for role in roles:
            script += [
                f"load-module module-null-sink sink_name={role}_room rate={RATE} channels=1",
                f"load-module module-null-sink sink_name={role}_speaker rate={RATE} channels=1",
                f"load-module module-remap-source source_name={role}_mic "
                f"master={role}_room.monitor channels=1",
            ]
            asound += [
                f"pcm.{role}_in {{ type pulse; device {role}_mic }}",
                f"pcm.{role}_out {{ type pulse; device {role}_speaker }}",
            ]
        (folder / "rooms.pa").write_text("\n".join(script) + "\n")
        (folder / "home" / ".asoundrc").write_text("\n".join(asound) + "\n")
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "--disallow-exit", "--disable-shm=yes", "-F", str(folder / "rooms.pa"),
             "--log-target=file:" + str(folder / "pulseaudio.log"), "--log-level=warn"],
            env=self.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while self._pactl("info").returncode != 0:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError(f"PulseAudio did not start: {self.log()}")
            time.sleep(0.02)

    def environment(self) -> dict[str, str]:
        """The environment of a process using this server (and only this one)."""
        run = str(self.folder / "run")
        return {
            **os.environ,
            "PULSE_SERVER": f"unix:{self.socket}",
            "XDG_RUNTIME_DIR": run,
            "PULSE_RUNTIME_PATH": run,
            "PULSE_STATE_PATH": str(self.folder / "state"),
            "PULSE_CONFIG_PATH": str(self.folder / "state"),
            "HOME": str(self.folder / "home"),
        }

    def _pactl(self, *words: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *words], env=self.environment(), capture_output=True, text=True, timeout=10
        )

    def log(self) -> str:
        path = self.folder / "pulseaudio.log"
        return path.read_text() if path.exists() else ""

    def say(self, role: str, samples: np.ndarray) -> subprocess.Popen[bytes]:
        """Play ``samples`` (int16 at 48 kHz) in ``role``'s room; returns the player."""
        path = self.folder / f"{role}-says-{time.monotonic_ns()}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(samples.astype("<i2").tobytes())
        return subprocess.Popen(
            ["paplay", "-d", f"{role}_room", str(path)], env=self.environment(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def listen(self, role: str) -> Recording:
        """Start recording what ``role``'s speaker plays."""
        return Recording(self, role)

    def close(self) -> None:
        """Stop the server."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Recording:
    """What one speaker plays, recorded from its monitor until :meth:`stop`."""

    def __init__(self, server: SoundServer, role: str) -> None:
        self.path = server.folder / f"{role}-heard-{time.monotonic_ns()}.raw"
        self._output = self.path.open("wb")
        self._process = subprocess.Popen(
            ["parec", "-d", f"{role}_speaker.monitor", "--raw", "--format=s16le",
             f"--rate={RATE}", "--channels=1", "--latency-msec=20"],
            env=server.environment(), stdout=self._output, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> np.ndarray:
        """Stop and return the samples (int16 at 48 kHz)."""
        self._process.terminate()
        self._process.wait(10)
        self._output.close()
        return np.frombuffer(self.path.read_bytes(), "<i2")


def tone(hz: float, seconds: float, level: float = 0.3) -> np.ndarray:
    """A steady tone, int16 at 48 kHz."""
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def strength(samples: np.ndarray, hz: float) -> float:
    """How much of ``hz`` is in ``samples``, relative to their loudest other frequency
    (over 1: ``hz`` stands out; well under: it is not there)."""
    if len(samples) < RATE // 10:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples.astype(float) * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    near = np.abs(freqs - hz) < 20
    rest = spectrum[~near & (freqs > 100)]
    return float(spectrum[near].max() / max(rest.max(), 1e-9))
