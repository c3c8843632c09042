"""The view-model of a station window: engine events turned into Qt signals on the GUI thread."""

from __future__ import annotations

import numpy as np
from av import VideoFrame
from av.frame import Frame
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.bridge import GuiBridge
from session import messages as m

PREVIEW_SIZE = (320, 240)


class StationModel(QObject):
    """Receives a station's events on the engine thread and re-emits them on the GUI thread."""

    #: The session moved: (new state, reason).
    state_changed = Signal(str, str)
    #: A new picture from another party: (role, image at preview size).
    frame_ready = Signal(str, QImage)
    #: Another party joined (True) or left (False).
    peer_changed = Signal(str, bool)
    #: The hub refused a request: (code, e.g. "wrong_document"; the message for the user).
    refused = Signal(str, str)
    #: Another party has a page on screen: (SHA-256 of the document's PDF, page from 1, role).
    page_shown = Signal(str, int, str)
    #: Another party raised (True) or lowered (False) a hand: (role, raised).
    hand_raised = Signal(str, bool)
    #: Another party drew a stroke of a signature: (role, pad width, pad height, points as
    #: ``[[x, y, t, pressure], ...]`` in pad pixels).
    stroke_drawn = Signal(str, int, int, list)

    def __init__(self, bridge: GuiBridge) -> None:
        super().__init__()
        self._bridge = bridge

    # StationListener, called on the engine thread -----------------------------------------

    def state_changed_from_engine(self, update: m.StateUpdate) -> None:
        """Forward a state change."""
        self._bridge.run_on_main(self.state_changed.emit, update.state, update.reason)

    def frame(self, role: str, kind: str, frame: Frame) -> None:
        """Scale a remote picture down here, off the GUI thread, and forward it."""
        if kind != "video" or not isinstance(frame, VideoFrame):
            return
        width, height = PREVIEW_SIZE
        rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
        self._bridge.run_on_main(self._emit_frame, role, np.ascontiguousarray(rgb))

    def peer_changed_from_engine(self, role: str, present: bool) -> None:
        """Forward a party joining or leaving."""
        self._bridge.run_on_main(self.peer_changed.emit, role, present)

    def refused_from_engine(self, refusal: m.Refused) -> None:
        """Forward a refusal."""
        self._bridge.run_on_main(self.refused.emit, refusal.code, refusal.message)

    def page_shown_from_engine(self, shown: m.ShowPage) -> None:
        """Forward the page another party shows."""
        self._bridge.run_on_main(
            self.page_shown.emit, shown.document_sha256, shown.page, shown.role
        )

    def hand_raised_from_engine(self, hand: m.RaiseHand) -> None:
        """Forward a raised or lowered hand."""
        self._bridge.run_on_main(self.hand_raised.emit, hand.role, hand.raised)

    def stroke_drawn_from_engine(self, stroke: m.Stroke) -> None:
        """Forward a stroke of a signature being written."""
        points = [list(point) for point in stroke.points]  # the GUI thread gets its own copy
        self._bridge.run_on_main(
            self.stroke_drawn.emit, stroke.role, stroke.width, stroke.height, points
        )

    def _emit_frame(self, role: str, rgb: np.ndarray) -> None:
        height, width, _ = rgb.shape
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self.frame_ready.emit(role, image)


class _ListenerAdapter:
    """Adapts :class:`StationModel` to the engine's ``StationListener`` method names."""

    def __init__(self, model: StationModel) -> None:
        self.state_changed = model.state_changed_from_engine
        self.frame = model.frame
        self.peer_changed = model.peer_changed_from_engine
        self.refused = model.refused_from_engine
        self.page_shown = model.page_shown_from_engine
        self.hand_raised = model.hand_raised_from_engine
        self.stroke_drawn = model.stroke_drawn_from_engine


def listener_for(model: StationModel) -> _ListenerAdapter:
    """The object to hand to ``session.station.engine.Station`` as its listener."""
    return _ListenerAdapter(model)
