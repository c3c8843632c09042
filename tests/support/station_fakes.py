"""A fake station for window tests: no network, just what a window asks of a station."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop.bridge import EngineThread, GuiBridge
from desktop.station.app import StationParts
from desktop.station.model import StationModel
from session import messages as m
from session.station.engine import StationError


class FakeStation:
    """Records what is sent; holds the agreement a hub would (``agreement``)."""

    def __init__(self, agreement: bytes = b"") -> None:
        self.agreement = agreement
        self.sharing = True
        self.sent: list[tuple[Any, ...]] = []
        self.fetches = 0

    async def request_step(self, step: str, reason: str = "") -> None:
        self.sent.append(("step", step))

    async def load_agreement(self, pdf: bytes) -> str:
        self.agreement = pdf
        return hashlib.sha256(pdf).hexdigest()

    async def fetch_agreement(self) -> bytes:
        self.fetches += 1
        if not self.agreement:
            raise StationError("cannot show the agreement: the prosecutor has not loaded it yet")
        return self.agreement

    def show_page(self, document_sha256: str, page: int) -> None:
        self.sent.append(("page", document_sha256, page))

    def raise_hand(self, raised: bool = True) -> None:
        self.sent.append(("hand", raised))

    def draw_stroke(self, width: int, height: int, points: list[list[float]]) -> None:
        self.sent.append(("stroke", width, height, points))

    def submit_signature(self, signature: dict[str, Any]) -> None:
        self.sent.append(("signature", signature))

    def of_kind(self, kind: str) -> list[tuple[Any, ...]]:
        """What was sent of one kind ("page", "hand", "stroke", "signature", "step")."""
        return [item for item in self.sent if item[0] == kind]


@contextmanager
def station_parts(role: str, station: FakeStation) -> Iterator[tuple[StationParts, StationModel]]:
    """A party's window over ``station``: a real engine thread and bridge; pages rendered at
    once (small) on the GUI thread."""
    engine = EngineThread()
    bridge = GuiBridge()
    model = StationModel(bridge)
    parts = StationParts(role, station, engine.loop, bridge, model, lambda work: work(), dpi=30)
    try:
        yield parts, model
    finally:
        parts.close()
        parts.window.close()
        engine.stop()


def update(state: str, reason: str = "") -> m.StateUpdate:
    """A state update as the hub sends it."""
    return m.StateUpdate(state, "x", "y", "hub", 0.0, reason)
