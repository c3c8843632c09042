"""The view-model of the signature pad: pen strokes with time and pressure, bound to a document.

The pad widget reports pen positions in pad pixels; this model stamps each with the time since
the first point (from the injected clock) and the pressure, keeps the strokes within the wire
format's bounds, and on confirmation builds a :class:`documents.signature.Signature` carrying
the SHA-256 of the document on screen. That wire dict is what :attr:`signature_ready` carries
and what the session's data channel sends to the hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from documents.signature import (
    MAX_POINTS,
    MAX_STROKES,
    Signature,
    SignatureError,
    SignaturePoint,
)

#: Pressure recorded for a mouse, which has none.
MOUSE_PRESSURE = 0.5
_MIN_POINTS = 8  # a tap or a slip of the pen is not a signature


class SignaturePadModel(QObject):
    """The strokes being signed by ``role`` on a pad of ``pad_size`` pixels."""

    #: The signer confirmed: the ``Signature`` wire dict (see documents.signature), bound to
    #: the document on screen, ready for the session's data channel.
    signature_ready = Signal(dict)
    #: The strokes changed (a point added, or the pad cleared): repaint.
    strokes_changed = Signal()
    #: The signature could not be accepted: the message for the signer.
    rejected = Signal(str)
    #: The pen left the pad after a stroke: (pad width, pad height, the stroke's points as
    #: ``[[x, y, t, pressure], ...]``), for the witness to see the writing as it happens.
    stroke_finished = Signal(int, int, list)

    def __init__(
        self,
        role: str,
        pad_size: tuple[int, int] = (600, 240),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.role = role
        self.pad_size = pad_size
        self._clock = clock
        self._strokes: list[list[SignaturePoint]] = []
        self._t0: float | None = None
        self._pen_down = False
        self._document = ""

    @property
    def document_sha256(self) -> str:
        """SHA-256 of the document the signer is looking at; empty if none."""
        return self._document

    def set_document(self, sha256: str, _pages: int = 0) -> None:
        """The document on screen changed: what is drawn so far no longer counts."""
        self._document = sha256
        self.clear()

    @property
    def strokes(self) -> list[list[SignaturePoint]]:
        """The strokes so far, for painting."""
        return [list(s) for s in self._strokes]

    @property
    def point_count(self) -> int:
        """Pen samples so far."""
        return sum(len(s) for s in self._strokes)

    def pen_down(self, x: float, y: float, pressure: float = MOUSE_PRESSURE) -> None:
        """The pen touched the pad at (x, y) pad pixels."""
        if len(self._strokes) >= MAX_STROKES:
            self.rejected.emit(
                self.tr("The signature has too many strokes; clear it and sign again.")
            )
            return
        self._pen_down = True
        self._strokes.append([])
        self._add(x, y, pressure)

    def pen_move(self, x: float, y: float, pressure: float = MOUSE_PRESSURE) -> None:
        """The pen moved while down."""
        if self._pen_down:
            self._add(x, y, pressure)

    def pen_up(self) -> None:
        """The pen left the pad: a stroke is finished."""
        if self._pen_down and self._strokes and self._strokes[-1]:
            width, height = self.pad_size
            points = [[p.x, p.y, p.t, p.pressure] for p in self._strokes[-1]]
            self.stroke_finished.emit(width, height, points)
        self._pen_down = False

    def clear(self) -> None:
        """Forget all strokes."""
        self._strokes, self._t0, self._pen_down = [], None, False
        self.strokes_changed.emit()

    def confirm(self) -> Signature | None:
        """Accept the strokes as the signature on the document on screen, and emit it."""
        if not self._document:
            self.rejected.emit(self.tr("No document is shown; the signature has nothing to sign."))
            return None
        if self.point_count < _MIN_POINTS:
            self.rejected.emit(self.tr("Please sign in the box before confirming."))
            return None
        width, height = self.pad_size
        strokes = tuple(tuple(s) for s in self._strokes if s)
        try:
            signature = Signature(self.role, width, height, strokes, self._document)
        except SignatureError as exc:
            self.rejected.emit(str(exc))
            return None
        self.signature_ready.emit(signature.to_json())
        return signature

    def _add(self, x: float, y: float, pressure: float) -> None:
        if self.point_count >= MAX_POINTS:
            self._pen_down = False
            self.rejected.emit(self.tr("The signature is too long; clear it and sign again."))
            return
        now = self._clock()
        if self._t0 is None:
            self._t0 = now
        width, height = self.pad_size
        point = SignaturePoint(
            round(min(max(x, 0.0), width), 2),
            round(min(max(y, 0.0), height), 2),
            round(max(now - self._t0, self._last_t()), 4),
            round(min(max(pressure, 0.0), 1.0), 3),
        )
        self._strokes[-1].append(point)
        self.strokes_changed.emit()

    def _last_t(self) -> float:
        for stroke in reversed(self._strokes):
            if stroke:
                return stroke[-1].t
        return 0.0
