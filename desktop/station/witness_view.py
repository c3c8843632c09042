"""The witness view: the suspect's signature as it is written, for the duty lawyer to watch.

Strokes arrive one at a time over the session's data channel (``StationModel.stroke_drawn``)
in the signer's pad pixels; the view paints them scaled to its own size. Times in a signature
count from its first point, so a stroke whose time goes back means the signer cleared the pad
and began again: the view starts afresh.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from desktop.station.model import StationModel
from desktop.texts import role_label

_INK = QColor(18, 24, 64)
_MARGIN = 8.0


class WitnessView(QWidget):
    """Paints the strokes ``signer`` draws, live."""

    def __init__(self, model: StationModel, signer: str = "suspect") -> None:
        super().__init__()
        self.signer = signer
        self.pad_size = (600, 240)
        self.strokes: list[list[list[float]]] = []
        self.setMinimumSize(240, 110)
        model.stroke_drawn.connect(self._stroke_drawn)

    def clear(self) -> None:
        """Forget what was drawn (a new document is on screen)."""
        self.strokes = []
        self.update()

    def _stroke_drawn(self, role: str, width: int, height: int, points: list) -> None:
        if role != self.signer or not points or width <= 0 or height <= 0:
            return
        last = self.strokes[-1][-1][2] if self.strokes else 0.0
        if points[0][2] < last or (width, height) != self.pad_size:
            self.strokes = []  # the signer started again
        self.pad_size = (width, height)
        self.strokes.append(points)
        self.update()

    def paint_rect(self) -> QRectF:
        """Where the signer's pad is drawn: as large as fits, in the pad's proportions."""
        pad_w, pad_h = self.pad_size
        area_w, area_h = self.width() - 2 * _MARGIN, self.height() - 2 * _MARGIN
        k = max(0.01, min(area_w / pad_w, area_h / pad_h))
        w, h = pad_w * k, pad_h * k
        return QRectF(_MARGIN + (area_w - w) / 2, _MARGIN + (area_h - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.paint_rect()
        painter.fillRect(rect, QColor(250, 250, 244))
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawRect(rect)
        painter.setPen(QColor(110, 110, 110))
        caption = self.tr("%1 signing, live").replace("%1", role_label(self.signer))
        if not self.strokes:
            caption = self.tr("%1's signature will appear here as it is written.").replace(
                "%1", role_label(self.signer)
            )
        painter.drawText(rect.adjusted(6, 4, -6, -4), Qt.AlignmentFlag.AlignLeft, caption)
        k = rect.width() / self.pad_size[0]
        full = self.pad_size[1] / 90 * k  # the pad's pen width at full pressure, scaled
        for stroke in self.strokes:
            self._draw(painter, rect, k, full, stroke)
        painter.end()

    @staticmethod
    def _draw(painter: QPainter, rect: QRectF, k: float, full: float, stroke: list) -> None:
        def at(p: list[float]) -> QPointF:
            return QPointF(rect.left() + p[0] * k, rect.top() + p[1] * k)

        if len(stroke) == 1:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_INK)
            painter.drawEllipse(at(stroke[0]), full / 2, full / 2)
            return
        for a, b in itertools.pairwise(stroke):
            pen = QPen(_INK, max(1.0, full * (0.3 + 0.9 * b[3])))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(at(a), at(b))
