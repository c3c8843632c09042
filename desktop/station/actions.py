"""What a station window asks of its station, run on the engine thread.

The window lives on the GUI thread; the station (``session.station.engine.Station``) on the engines'
loop. :class:`StationActions` is the one place the window's requests cross over: coroutines
(loading and fetching the agreement, asking for a step) are submitted to the loop and owned
until they finish; the data channel's sends (a page, a hand, a stroke, the signature) are called
on the loop. Results come back through :class:`~desktop.bridge.GuiBridge`; a failure comes back
as :attr:`StationActions.failed`, in words for the user.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.bridge import GuiBridge
from session.hub.server import MAX_AGREEMENT_BYTES  # what the hub takes, checked before sending
from session.station.engine import StationError

log = logging.getLogger(__name__)


class ActingStation(Protocol):
    """The parts of ``session.station.engine.Station`` a window acts through."""

    @property
    def sharing(self) -> bool:
        """Whether the data channel is open."""

    async def request_step(self, step: str, reason: str = "") -> None:
        """Ask the hub for a step."""

    async def load_agreement(self, pdf: bytes) -> str:
        """Load the agreement at the hub; its SHA-256."""

    async def fetch_agreement(self) -> bytes:
        """The agreement's bytes as the hub holds them."""

    def show_page(self, document_sha256: str, page: int) -> None:
        """Share the page on screen."""

    def raise_hand(self, raised: bool = True) -> None:
        """Share a raised or lowered hand."""

    def draw_stroke(self, width: int, height: int, points: list[list[float]]) -> None:
        """Share one stroke of a signature."""

    def submit_signature(self, signature: dict[str, Any]) -> None:
        """Send the signature."""


class StationActions(QObject):
    """Runs a window's requests on the station's loop and reports failures on the GUI thread."""

    #: Something this station tried did not work: the message for the user.
    failed = Signal(str)

    def __init__(
        self, station: ActingStation, loop: asyncio.AbstractEventLoop, bridge: GuiBridge
    ) -> None:
        super().__init__()
        self._station = station
        self._loop = loop
        self._bridge = bridge
        self._running: set[concurrent.futures.Future[Any]] = set()

    @property
    def sharing(self) -> bool:
        """Whether pages, hands, strokes and signatures can be sent now."""
        return self._station.sharing

    def request_step(self, step: str) -> None:
        """Ask the hub for ``step``; a refusal arrives as the model's ``refused``."""
        self._run(self._station.request_step(step), None, self.tr("The step was not sent: %1"))

    def load_agreement(
        self, path: Path, done: Callable[[bytes, str], None], undone: Callable[[], None]
    ) -> None:
        """Read the PDF at ``path`` and load it at the hub; ``done(pdf, sha256)`` or, after
        :attr:`failed`, ``undone()`` follows on the GUI thread."""

        too_large = self.tr("%1 is larger than %2 MB.").replace("%1", path.name)
        too_large = too_large.replace("%2", str(MAX_AGREEMENT_BYTES // 2**20))
        not_pdf = self.tr("%1 is not a PDF file.").replace("%1", path.name)

        async def load() -> tuple[bytes, str]:
            loop = asyncio.get_running_loop()
            pdf = await loop.run_in_executor(None, _read_pdf, path, too_large, not_pdf)
            return pdf, await self._station.load_agreement(pdf)

        failure = self.tr("The agreement was not loaded: %1")
        self._run(load(), lambda result: done(*result), failure, undone)

    def fetch_agreement(self, done: Callable[[bytes], None], undone: Callable[[], None]) -> None:
        """Fetch the agreement's bytes from the hub; ``done(pdf)`` or, after :attr:`failed`,
        ``undone()`` follows on the GUI thread."""
        failure = self.tr("The agreement cannot be shown: %1")
        self._run(self._station.fetch_agreement(), done, failure, undone)

    def show_page(self, document_sha256: str, page: int) -> None:
        """Show the others ``page`` of the document."""
        self._send(self._station.show_page, document_sha256, page)

    def raise_hand(self, raised: bool) -> None:
        """Raise or lower this party's hand."""
        self._send(self._station.raise_hand, raised)

    def draw_stroke(self, width: int, height: int, points: list[list[float]]) -> None:
        """Share a finished stroke with the witness."""
        self._send(self._station.draw_stroke, width, height, points)

    def submit_signature(self, signature: dict[str, Any]) -> None:
        """Send the confirmed signature to the hub."""
        self._send(self._station.submit_signature, signature)

    def close(self) -> None:
        """Cancel what is still running (the window is going away)."""
        for future in list(self._running):
            future.cancel()

    # -- crossing to the engine thread and back ---------------------------------------------

    def _run(
        self,
        coro: Coroutine[Any, Any, Any],
        done: Callable[[Any], None] | None,
        failure: str,
        undone: Callable[[], None] | None = None,
    ) -> None:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._running.add(future)

        def finished(future: concurrent.futures.Future[Any]) -> None:  # on the engine thread
            self._running.discard(future)
            if future.cancelled():
                return
            error = future.exception()
            if error is None:
                if done is not None:
                    self._bridge.run_on_main(done, future.result())
                return
            known = isinstance(error, StationError | OSError | ValueError)
            if not known:
                log.error("a station action failed", exc_info=error)
            detail = str(error) if known else repr(error)
            self._bridge.run_on_main(self.failed.emit, failure.replace("%1", detail))
            if undone is not None:
                self._bridge.run_on_main(undone)

        future.add_done_callback(finished)

    def _send(self, send: Callable[..., None], *args: Any) -> None:
        if not self._station.sharing:
            self.failed.emit(
                self.tr("Not connected to the session's recorder yet; try again in a moment.")
            )
            return
        failure = self.tr("Could not send: %1")

        def on_loop() -> None:
            try:
                send(*args)
            except StationError as exc:
                self._bridge.run_on_main(self.failed.emit, failure.replace("%1", str(exc)))

        self._loop.call_soon_threadsafe(on_loop)


def _read_pdf(path: Path, too_large: str, not_pdf: str) -> bytes:
    """The file's bytes, if it is a PDF of a sensible size (runs in an executor; the messages
    come translated from the GUI thread)."""
    if path.stat().st_size > MAX_AGREEMENT_BYTES:
        raise ValueError(too_large)
    pdf = path.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise ValueError(not_pdf)
    return pdf
