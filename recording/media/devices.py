"""Finding, choosing and opening cameras, microphones and speakers.

Cameras are listed from Linux's video4linux devices; microphones and speakers from PortAudio,
imported only here and only when asked (``import sounddevice`` raises OSError where PortAudio
is missing). :func:`open_media` opens the chosen devices as tracks. A device that is missing or
fails is never replaced by a synthetic one behind the user's back: :func:`open_media` raises
:class:`DevicesUnavailable`, whose problems (:class:`DeviceProblem`) say in plain words what is
wrong, before the station joins; a party whose camera silently fell back to a test picture
would not be in the recording. Synthetic devices are used only when asked for by name
(``SYNTHETIC``): the demo's parties, the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamTrack

from recording.media.capture import (
    CameraCapture,
    CameraTrack,
    MicrophoneCapture,
    MicrophoneTrack,
    ReconnectingCamera,
    StreamFactory,
    sounddevice_stream,
)
from recording.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

log = logging.getLogger(__name__)

V4L_DIR = Path("/sys/class/video4linux")
#: The device name that asks for a synthetic camera or microphone.
SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class CameraDevice:
    """A camera: its index for ``cv2.VideoCapture``, its name and device path."""

    index: int
    name: str
    path: str


@dataclass(frozen=True)
class MicrophoneDevice:
    """A microphone (or a speaker) as PortAudio lists it."""

    index: int
    name: str
    channels: int
    default_rate: float


@dataclass(frozen=True)
class DeviceProblem:
    """Something about the devices that the user must know, in plain words.

    ``code`` (``no_camera``, ``camera_failed``, ``no_microphone``, ``microphone_failed``,
    ``no_sound_library``, ``microphones_unreadable``) lets the interface show its own
    translated text.
    """

    code: str
    message: str


def list_cameras(v4l_dir: Path = V4L_DIR) -> list[CameraDevice]:
    """The capture devices of this machine (video4linux nodes that take pictures)."""
    cameras = []
    for node in sorted(v4l_dir.glob("video*"), key=lambda p: int(p.name[5:] or 0)):
        try:
            # Each camera has several nodes; the one with index 0 takes the pictures.
            if (node / "index").is_file() and (node / "index").read_text().strip() != "0":
                continue
            name = (node / "name").read_text().strip() if (node / "name").is_file() else node.name
        except OSError as exc:
            log.warning("cannot read %s: %s", node, exc)
            continue
        cameras.append(CameraDevice(int(node.name[5:]), name, f"/dev/{node.name}"))
    return cameras


def list_microphones(
    query: Callable[[], Sequence[dict[str, Any]]] | None = None,
    direction: str = "input",
) -> tuple[list[MicrophoneDevice], DeviceProblem | None]:
    """The input devices PortAudio offers (``direction="output"``: the speakers), and a problem
    if the sound library is missing."""
    if query is None:
        try:
            import sounddevice
        except OSError as exc:
            log.warning("no PortAudio: %s", exc)
            return [], DeviceProblem(
                "no_sound_library",
                "The sound library (PortAudio) is not installed, so no microphone can be used. "
                "Install the package libportaudio2.",
            )
        query = sounddevice.query_devices  # type: ignore[assignment]
    assert query is not None
    try:
        devices = list(query())
    except Exception as exc:  # PortAudio's own errors when its host audio system is broken
        log.warning("cannot list microphones: %s", exc)
        return [], DeviceProblem(
            "microphones_unreadable",
            f"The list of microphones could not be read ({exc}). Check the computer's sound "
            "settings.",
        )
    found = []
    channels = f"max_{direction}_channels"
    for index, device in enumerate(devices):
        if int(device.get(channels, 0)) > 0:
            name = str(device.get("name", index))
            rate = float(device.get("default_samplerate", 48_000))
            found.append(MicrophoneDevice(index, name, int(device[channels]), rate))
    return found, None


def list_speakers(
    query: Callable[[], Sequence[dict[str, Any]]] | None = None,
) -> tuple[list[MicrophoneDevice], DeviceProblem | None]:
    """The output devices PortAudio offers, and a problem if the sound library is missing."""
    return list_microphones(query, "output")


D = TypeVar("D", CameraDevice, MicrophoneDevice)


def choose(devices: Sequence[D], wanted: str | None) -> D | None:
    """The device ``wanted`` names (its index, its device path, or part of its name); the
    first if None."""
    if not devices:
        return None
    if wanted is None or wanted == "":
        return devices[0]
    for device in devices:
        if wanted.isdigit() and device.index == int(wanted):
            return device
        if getattr(device, "path", None) == wanted:
            return device
    lowered = wanted.lower()
    return next((d for d in devices if lowered in d.name.lower()), None)


class DevicesUnavailable(Exception):
    """The devices asked for cannot all be used; ``problems`` says which and why."""

    def __init__(self, problems: Sequence[DeviceProblem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class MediaChoice:
    """The tracks a station sends."""

    video: MediaStreamTrack
    audio: MediaStreamTrack

    @property
    def synthetic(self) -> bool:
        """Whether either track is synthetic (asked for by name)."""
        return isinstance(self.video, SyntheticVideoTrack) or isinstance(
            self.audio, SyntheticAudioTrack
        )


def open_media(
    role: str,
    *,
    session_time: Callable[[], float],
    camera: str | None = None,
    microphone: str | None = None,
    cameras: Sequence[CameraDevice] | None = None,
    microphones: Sequence[MicrophoneDevice] | None = None,
    opener: Callable[[Any], Any] = cv2.VideoCapture,
    stream_factory: StreamFactory = sounddevice_stream,
    process: Callable[[np.ndarray], np.ndarray] | None = None,
) -> MediaChoice:
    """Open ``role``'s camera and microphone; raise :class:`DevicesUnavailable` (having closed
    what did open) if either cannot be used.

    ``camera``/``microphone`` name the device (index or part of the name; None: the first;
    ``SYNTHETIC``: a synthetic one). ``cameras``/``microphones`` default to what this machine
    lists. ``opener`` and ``stream_factory`` open the devices (``cv2.VideoCapture`` and
    sounddevice; tests inject fakes). ``process`` is what each block of the microphone goes
    through before it is sent (the room's echo cancelling).
    """
    problems: list[DeviceProblem] = []
    video = _open_camera(role, session_time, camera, cameras, opener, problems)
    audio = _open_microphone(
        role, session_time, microphone, microphones, stream_factory, process, problems
    )
    if problems:
        for track in (video, audio):
            if track is not None:
                track.stop()
        for p in problems:
            log.warning("%s: %s", role, p.message)
        raise DevicesUnavailable(problems)
    assert video is not None and audio is not None
    return MediaChoice(video, audio)


def _open_camera(
    role: str,
    session_time: Callable[[], float],
    camera: str | None,
    cameras: Sequence[CameraDevice] | None,
    opener: Callable[[Any], Any],
    problems: list[DeviceProblem],
) -> MediaStreamTrack | None:
    if camera == SYNTHETIC:
        return SyntheticVideoTrack(role, session_time=session_time)
    if camera is not None and camera.startswith(("rtsp://", "rtsps://")):
        return _open_ip_camera(camera, session_time, problems)
    if camera is not None and Path(camera).is_file():
        return _open_video_file(Path(camera), session_time, opener, problems)
    listed = list_cameras() if cameras is None else list(cameras)
    chosen = choose(listed, camera)
    if chosen is None:
        missing = f"The camera {camera!r} was not found." if camera else "No camera was found."
        problems.append(DeviceProblem(
            "no_camera", f"{missing} Connect it, or choose another, before joining.",
        ))  # fmt: skip
        return None
    capture = opener(chosen.index)
    if not capture.isOpened():
        capture.release()
        problems.append(DeviceProblem(
            "camera_failed",
            f"The camera {chosen.name} could not be opened (is another program using it?).",
        ))  # fmt: skip
        return None
    camera_capture = CameraCapture(capture, clock=session_time, name=chosen.name)
    camera_capture.start()
    return CameraTrack(camera_capture)


def _open_ip_camera(
    url: str, session_time: Callable[[], float], problems: list[DeviceProblem]
) -> MediaStreamTrack | None:
    """An IP camera (RTSP), opened again by itself whenever its stream breaks."""
    camera = ReconnectingCamera(url)
    if not camera.isOpened():
        camera.release()
        problems.append(DeviceProblem(
            "camera_failed", f"The IP camera at {camera.name} could not be reached.",
        ))  # fmt: skip
        return None
    # Reconnecting takes its pause on each failed grab: a minute of retries before it is gone.
    capture = CameraCapture(camera, clock=session_time, name=camera.name, max_failures=60)
    capture.start()
    return CameraTrack(capture)


def _open_video_file(
    path: Path,
    session_time: Callable[[], float],
    opener: Callable[[Any], Any],
    problems: list[DeviceProblem],
) -> MediaStreamTrack | None:
    """A video file played as a camera, in real time (for tests and training)."""
    capture = opener(str(path))
    if not capture.isOpened():
        capture.release()
        problems.append(DeviceProblem(
            "camera_failed", f"The video file {path.name} could not be read.",
        ))  # fmt: skip
        return None
    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0) or 25.0
    camera_capture = CameraCapture(capture, clock=session_time, name=path.name, pace_fps=fps)
    camera_capture.start()
    return CameraTrack(camera_capture)


def _open_microphone(
    role: str,
    session_time: Callable[[], float],
    microphone: str | None,
    microphones: Sequence[MicrophoneDevice] | None,
    stream_factory: StreamFactory,
    process: Callable[[np.ndarray], np.ndarray] | None,
    problems: list[DeviceProblem],
) -> MediaStreamTrack | None:
    if microphone == SYNTHETIC:
        return SyntheticAudioTrack(role, session_time=session_time)
    problem = None
    if microphones is None:
        mics, problem = list_microphones()
    else:
        mics = list(microphones)
    mic = choose(mics, microphone)
    if problem is not None:
        problems.append(problem)
        return None
    if mic is None:
        missing = f"The microphone {microphone!r}" if microphone else "No microphone"
        problems.append(DeviceProblem(
            "no_microphone",
            f"{missing} was not found. Connect it, or choose another, before joining.",
        ))  # fmt: skip
        return None
    mic_capture = MicrophoneCapture(
        clock=session_time, device=mic.index, stream_factory=stream_factory, process=process
    )
    try:
        mic_capture.start()
    except Exception as exc:  # OSError, or PortAudio's own error (a rate it cannot do)
        problems.append(DeviceProblem(
            "microphone_failed", f"The microphone {mic.name} could not be opened ({exc}).",
        ))  # fmt: skip
        return None
    return MicrophoneTrack(mic_capture)
