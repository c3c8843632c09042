"""A station's room: its camera, microphone and speaker, opened before the station joins.

:func:`open_room` opens the devices the station was told to use and raises
``recording.media.devices.DevicesUnavailable``, in words a person understands, if any is
missing: a station never joins with a stand-in it was not asked for. ``synthetic`` is a
device name like any other (the demo's parties, the tests). The speaker plays the other
parties' sound (:class:`~recording.media.playout.Playout`), fed by :class:`Hearing`, the
station's listener for what it receives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame
from av.frame import Frame

from recording.media.devices import (
    SYNTHETIC,
    DeviceProblem,
    DevicesUnavailable,
    choose,
    list_speakers,
    open_media,
)
from recording.media.echo import RoomSound
from recording.media.playout import Playout
from session.station.engine import StationListener


@dataclass
class Room:
    """The tracks a station sends, and the speaker it plays on (None: it plays nothing)."""

    tracks: list[MediaStreamTrack]
    speaker: Playout | None

    def close(self) -> None:
        """Stop the devices."""
        for track in self.tracks:
            track.stop()
        if self.speaker is not None:
            self.speaker.stop()


def open_room(
    role: str,
    session_time: Callable[[], float],
    *,
    camera: str | None,
    microphone: str | None,
    speaker: str | None,
) -> Room:
    """Open ``role``'s camera, microphone and speaker (each named as ``pleadesk devices``
    lists it, None for the first, ``synthetic`` for a synthetic one; a synthetic speaker
    plays nothing). A real microphone beside a real speaker has the speaker's echo taken out
    (:class:`~recording.media.echo.RoomSound`). Raises DevicesUnavailable, having closed
    whatever did open."""
    echo = RoomSound() if SYNTHETIC not in (microphone, speaker) else None
    media = open_media(
        role, session_time=session_time, camera=camera, microphone=microphone,
        process=echo.cleaned if echo else None,
    )  # fmt: skip
    tracks = [media.video, media.audio]
    try:
        playout = None if speaker == SYNTHETIC else _open_speaker(speaker, echo)
    except DevicesUnavailable:
        for track in tracks:
            track.stop()
        raise
    return Room(tracks, playout)


def _open_speaker(name: str | None, echo: RoomSound | None) -> Playout:
    speakers, problem = list_speakers()
    if problem is not None:
        raise DevicesUnavailable([problem])
    chosen = choose(speakers, name)
    if chosen is None:
        missing = f"The speaker {name!r}" if name else "No speaker"
        words = f"{missing} was not found. Connect it, or choose another, before joining."
        raise DevicesUnavailable([DeviceProblem("no_speaker", words)])
    playout = Playout(device=chosen.index, on_played=echo.played if echo else None)
    try:
        playout.start()
    except Exception as exc:  # OSError, or PortAudio's own error
        raise DevicesUnavailable([DeviceProblem(
            "speaker_failed", f"The speaker {chosen.name} could not be opened ({exc}).",
        )]) from exc  # fmt: skip
    return playout


class Hearing:
    """A station's listener that plays the other parties' sound on ``speaker`` and passes
    everything on to ``listener`` (a window's, or None)."""

    def __init__(self, speaker: Playout, listener: StationListener | None = None) -> None:
        self._speaker, self._listener = speaker, listener

    def frame(self, role: str, kind: str, frame: Frame) -> None:
        """A decoded frame from ``role``: sound goes to the speaker."""
        if kind == "audio" and isinstance(frame, AudioFrame):
            self._speaker.push(role, frame)
        if self._listener is not None:
            self._listener.frame(role, kind, frame)

    def peer_changed(self, role: str, present: bool) -> None:
        """``role`` joined or left: what it had waiting is dropped when it leaves."""
        if not present:
            self._speaker.forget(role)
        if self._listener is not None:
            self._listener.peer_changed(role, present)

    def __getattr__(self, name: str) -> Any:
        """Every other event goes to the listener as it is (or nowhere, without one)."""
        if self._listener is None:
            raise AttributeError(name)
        return getattr(self._listener, name)
