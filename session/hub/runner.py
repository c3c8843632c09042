"""Running a hub as a process: the one place that composes it with the composite recorder.

The hub's live sessions reach their recorder only through :class:`session.hub.feed.RecorderFactory`;
here that factory is the composite recorder of ``recording.recorder``, with the shipped CJK font
for the names and captions it burns into the picture.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from pathlib import Path

from documents.pdf.fonts import cjk_font_path
from recording.recorder.recorder import CompositeRecorder
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.feed import RecorderFactory
from session.hub.server import Hub
from session.hub.store import Store
from session.hub.tokens import TokenIssuer
from session.rtc.network import DIRECT, MediaRoute, restrict_media_addresses
from session.scheduling.store import ScheduleStore
from session.tls import HubCredentials, init_hub_credentials, is_loopback

log = logging.getLogger(__name__)


def composite_recorders() -> RecorderFactory:
    """The recorder every real hub uses: the composite recording of ``recording.recorder``."""
    return functools.partial(CompositeRecorder, label_font=cjk_font_path())


def init_hub(data_dir: Path, hosts: list[str]) -> HubCredentials:
    """Prepare a hub's folder: its TLS certificate authority and its token secret."""
    credentials = init_hub_credentials(data_dir / "tls", hosts)
    TokenIssuer.load_or_create(data_dir / "token-secret")
    return credentials


class HubRefused(RuntimeError):
    """The hub will not start as asked; the message says why and what to do."""


async def serve_hub(
    data_dir: Path,
    host: str,
    port: int,
    route: MediaRoute = DIRECT,
    insecure_loopback: bool = False,
) -> None:
    """Run a hub until SIGINT or SIGTERM, then close its recordings and stop; its recorder
    peer's media travels by ``route``. Without TLS credentials it refuses to start, unless
    ``insecure_loopback`` and ``host`` is a loopback address (nothing leaves the machine)."""
    credentials = HubCredentials(data_dir / "tls")
    if not credentials.exists() and not (insecure_loopback and is_loopback(host)):
        raise HubRefused(
            f"no TLS credentials in {data_dir / 'tls'}: run 'pleadesk hub init --data "
            f"{data_dir} --host {host}' first (plain HTTP only with --insecure-loopback on "
            "127.0.0.1)"
        )
    tls = credentials.server_context() if credentials.exists() else None
    restrict_media_addresses([host])
    data_dir.mkdir(parents=True, exist_ok=True)
    tokens = TokenIssuer.load_or_create(data_dir / "token-secret")
    database, clock = data_dir / "hub.sqlite3", HubClock.kept_in(data_dir / "clock-epoch")
    hub = Hub(
        Store(database),
        data_dir / "recordings",
        clock,
        recorders=composite_recorders(),
        accounts=AccountStore(database),
        tokens=tokens,
        schedule=ScheduleStore(database),
        audit=AuditTrail.in_folder(data_dir / "audit", clock),
        media_route=route,
    )
    url = await hub.start(host, port, tls)
    print(f"PleaDesk hub at {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await hub.close()
