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
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.feed import RecorderFactory
from session.hub.server import Hub
from session.hub.store import Store
from session.hub.tokens import TokenIssuer
from session.rtc.network import DIRECT, MediaRoute, restrict_media_addresses
from session.scheduling.store import ScheduleStore
from session.tls import HubCredentials, init_hub_credentials

log = logging.getLogger(__name__)


def composite_recorders() -> RecorderFactory:
    """The recorder every real hub uses: the composite recording of ``recording.recorder``."""
    return functools.partial(CompositeRecorder, label_font=cjk_font_path())


def init_hub(data_dir: Path, hosts: list[str]) -> HubCredentials:
    """Prepare a hub's folder: its TLS certificate authority and its token secret."""
    credentials = init_hub_credentials(data_dir / "tls", hosts)
    TokenIssuer.load_or_create(data_dir / "token-secret")
    return credentials


async def serve_hub(data_dir: Path, host: str, port: int, route: MediaRoute = DIRECT) -> None:
    """Run a hub until SIGINT or SIGTERM, then close its recordings and stop; its recorder
    peer's media travels by ``route``."""
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
        recorders=composite_recorders(),
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
