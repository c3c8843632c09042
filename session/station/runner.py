"""Running a station as a process: with its room's devices (``session.station.room``) or with
synthetic ones (the demo, the tests), headless and scripted or behind a window."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from documents.samples.handwriting import synthetic_signature
from recording.media.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from session.rtc.network import DIRECT, MediaRoute
from session.station.clocksync import StationClock
from session.station.engine import Station, StationListener
from session.station.room import Hearing, Room
from session.station.script import play_part
from session.tls import client_context

log = logging.getLogger(__name__)


def synthetic_tracks(
    role: str,
    clock: StationClock,
    clapper: bool = False,
    size: tuple[int, int] = (640, 480),
    fps: int = 25,
) -> list:
    """A synthetic camera (``size`` at ``fps``) and microphone for ``role``, timed on the
    station's session clock; with ``clapper``, flashes and tones for measuring sync (DESIGN §5)."""
    return [
        SyntheticVideoTrack(role, size=size, fps=fps, clock=clock.now, clapper=clapper),
        SyntheticAudioTrack(role, clock=clock.now, clapper=clapper),
    ]


def demo_signature(role: str, case_number: str, session_id: str) -> dict | None:
    """The synthetic handwriting the demo's suspect and lawyer sign with."""
    agreement = demo_agreement(case_number, session_id)
    names = {"suspect": agreement.suspect.name, "lawyer": agreement.lawyer.name}
    if role not in names:
        return None
    return synthetic_signature(role, names[role], seed=len(names[role])).to_json()


def synthetic_station(
    hub_url: str,
    session_id: str,
    role: str,
    token: str,
    *,
    ca: Path | None = None,
    clapper: bool = False,
    listener: StationListener | None = None,
    size: tuple[int, int] = (640, 480),
    fps: int = 25,
    route: MediaRoute = DIRECT,
) -> Station:
    """A station for ``role`` with synthetic devices (pictures of ``size`` at ``fps``) on its
    own session clock, its media sent by ``route``."""
    clock = StationClock()
    room = Room(synthetic_tracks(role, clock, clapper, size, fps), None)
    return room_station(hub_url, session_id, role, token, room, clock, ca, listener, route)


def room_station(
    hub_url: str,
    session_id: str,
    role: str,
    token: str,
    room: Room,
    clock: StationClock,
    ca: Path | None = None,
    listener: StationListener | None = None,
    route: MediaRoute = DIRECT,
) -> Station:
    """A station for ``role`` sending ``room``'s tracks (timed on ``clock``) and playing what
    it hears on ``room``'s speaker, if it has one."""
    tls = client_context(ca) if ca else None
    if room.speaker is not None:
        listener = Hearing(room.speaker, listener)
    return Station(
        hub_url, session_id, role, token, room.tracks, listener, clock=clock, tls=tls, route=route
    )


def station_with(
    hub_url: str,
    session_id: str,
    role: str,
    token: str,
    devices: tuple[Room, StationClock] | None,
    *,
    ca: Path | None = None,
    clapper: bool = False,
    listener: StationListener | None = None,
    route: MediaRoute = DIRECT,
) -> Station:
    """A station with ``devices`` (a room opened on its clock), or synthetic ones if None."""
    if devices is None:
        return synthetic_station(
            hub_url, session_id, role, token, ca=ca, clapper=clapper, listener=listener,
            route=route,
        )  # fmt: skip
    return room_station(hub_url, session_id, role, token, *devices, ca, listener, route)


def demo_agreement_pdf(case_number: str, session_id: str) -> bytes:
    """The demo case's agreement as a PDF with empty signature fields (not yet certified)."""
    return render_agreement(demo_agreement(case_number, session_id), {})


async def take_part(
    station: Station, pause: float | None, case_number: str, agreement: bytes | None = None
) -> None:
    """Stay in the session until it ends; with ``pause``, play the role's scripted part (a
    prosecutor presents ``agreement``, by default the demo case's)."""
    async with asyncio.TaskGroup() as group:
        connection = group.create_task(station.run())
        if pause is not None:
            signature = demo_signature(station.role, case_number, station.session_id)
            if station.role == "prosecutor" and agreement is None:
                loop = asyncio.get_running_loop()
                agreement = await loop.run_in_executor(
                    None, demo_agreement_pdf, case_number, station.session_id
                )
            await play_part(station, pause, signature, agreement)
            await station.leave()
        await connection


async def run_scripted_station(
    hub_url: str,
    session_id: str,
    role: str,
    token: str,
    pause: float,
    case_number: str,
    ca: Path | None = None,
    clapper: bool = False,
    agreement: bytes | None = None,
    route: MediaRoute = DIRECT,
    room: tuple[Room, StationClock] | None = None,
) -> None:
    """Join as ``role`` with ``room``'s devices (default: synthetic ones) and play the part
    until the session closes (a prosecutor presents ``agreement``, by default the demo
    case's)."""
    station = station_with(
        hub_url, session_id, role, token, room, ca=ca, clapper=clapper, route=route
    )
    await take_part(station, pause, case_number, agreement)
