"""Running a headless station or a hub as a process (used by the command line and the demo)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from documents.agreement import demo_agreement
from documents.pdf import render_agreement
from documents.signature import synthetic_signature
from recording.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from session.audit import AuditTrail
from session.clock import HubClock
from session.clocksync import StationClock
from session.hub import Hub
from session.network import restrict_media_addresses
from session.scheduling.store import ScheduleStore
from session.script import play_part
from session.station import Station, StationListener
from session.store import Store
from session.tls import HubCredentials, client_context, init_hub_credentials
from session.tokens import TokenIssuer

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
) -> Station:
    """A station for ``role`` with synthetic devices (pictures of ``size`` at ``fps``) on its
    own session clock."""
    clock = StationClock()
    tracks = synthetic_tracks(role, clock, clapper, size, fps)
    tls = client_context(ca) if ca else None
    return Station(hub_url, session_id, role, token, tracks, listener, clock=clock, tls=tls)


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
) -> None:
    """Join as ``role`` with synthetic devices and play the part until the session closes (a
    prosecutor presents ``agreement``, by default the demo case's)."""
    station = synthetic_station(hub_url, session_id, role, token, ca=ca, clapper=clapper)
    await take_part(station, pause, case_number, agreement)


def init_hub(data_dir: Path, hosts: list[str]) -> HubCredentials:
    """Prepare a hub's folder: its TLS certificate authority and its token secret."""
    credentials = init_hub_credentials(data_dir / "tls", hosts)
    TokenIssuer.load_or_create(data_dir / "token-secret")
    return credentials


async def serve_hub(data_dir: Path, host: str, port: int) -> None:
    """Run a hub until SIGINT or SIGTERM, then close its recordings and stop."""
    restrict_media_addresses([host])
    data_dir.mkdir(parents=True, exist_ok=True)
    tokens = TokenIssuer.load_or_create(data_dir / "token-secret")
    credentials = HubCredentials(data_dir / "tls")
    tls = credentials.server_context() if credentials.exists() else None
    if tls is None:
        log.warning("no TLS credentials in %s: signaling is not encrypted; run 'pleadesk hub "
                    "init' first", data_dir)  # fmt: skip
    database, clock = data_dir / "hub.sqlite3", HubClock.kept_in(data_dir / "clock-epoch")
    hub = Hub(
        Store(database),
        data_dir / "recordings",
        clock,
        tokens=tokens,
        schedule=ScheduleStore(database),
        audit=AuditTrail.in_folder(data_dir / "audit", clock),
    )
    url = await hub.start(host, port, tls)
    print(f"PleaDesk hub at {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await hub.close()
