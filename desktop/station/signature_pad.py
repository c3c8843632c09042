"""The signature pad: sign with a pen (with pressure), a finger or the mouse.

The pad draws the strokes of its :class:`~desktop.station.signature_pad_model.SignaturePadModel` and
feeds it pen positions in pad pixels. A pen tablet gives real pressure; touch gives the
screen's pressure where it reports one; the mouse gives a fixed middle pressure. "Clear" starts
again; "Confirm signature" hands the strokes to the model, which emits the signature.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop.station.signature_pad_model import MOUSE_PRESSURE, SignaturePadModel
from documents.signature import SignaturePoint

_INK = QColor(18, 24, 64)
_MARGIN = 8.0


class SignaturePad(QWidget):
    """A signing box with Clear and Confirm buttons under it."""

    def __init__(self, model: SignaturePadModel) -> None:
        super().__init__()
        self.model = model
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setMinimumSize(360, 200)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.confirm_button = QPushButton(self.tr("Confirm signature"))
        self.clear_button.clicked.connect(model.clear)
        self.confirm_button.clicked.connect(model.confirm)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)  # the painted pad fills the space above the buttons
        layout.addLayout(buttons)
        self._buttons = buttons
        model.strokes_changed.connect(self.update)

    def pad_rect(self) -> QRectF:
        """Where the pad is drawn: the largest box of the pad's proportions above the buttons."""
        pad_w, pad_h = self.model.pad_size
        area_h = self._buttons.geometry().top() - 2 * _MARGIN
        area_w = self.width() - 2 * _MARGIN
        k = max(0.01, min(area_w / pad_w, max(area_h, 1) / pad_h))
        w, h = pad_w * k, pad_h * k
        return QRectF(_MARGIN + (area_w - w) / 2, _MARGIN + (area_h - h) / 2, w, h)

    def to_pad(self, point: QPointF) -> tuple[float, float]:
        """Widget coordinates → pad pixels."""
        rect = self.pad_rect()
        k = self.model.pad_size[0] / rect.width()
        return (point.x() - rect.left()) * k, (point.y() - rect.top()) * k

    def _from_pad(self, p: SignaturePoint) -> QPointF:
        rect = self.pad_rect()
        k = rect.width() / self.model.pad_size[0]
        return QPointF(rect.left() + p.x * k, rect.top() + p.y * k)

    # Input ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._inside(event.position()):
            self.model.pen_down(*self.to_pad(event.position()), MOUSE_PRESSURE)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.model.pen_move(*self.to_pad(event.position()), MOUSE_PRESSURE)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.model.pen_up()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind, pressure = event.type(), event.pressure()
        if kind == QEvent.Type.TabletPress and self._inside(event.position()):
            self.model.pen_down(*self.to_pad(event.position()), pressure)
        elif kind == QEvent.Type.TabletMove:
            self.model.pen_move(*self.to_pad(event.position()), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self.model.pen_up()
        event.accept()  # no synthesized mouse events: they would draw every point twice

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0]
            # From the global position: correct however the event reached this widget.
            position = self.mapFromGlobal(point.globalPosition())
            # Screens that do not measure pressure report 0 or 1; use the mouse's middle value.
            pressure = point.pressure() if 0 < point.pressure() < 1 else MOUSE_PRESSURE
            if kind == QEvent.Type.TouchBegin and self._inside(position):
                self.model.pen_down(*self.to_pad(position), pressure)
            elif kind == QEvent.Type.TouchUpdate:
                self.model.pen_move(*self.to_pad(position), pressure)
            elif kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
                self.model.pen_up()
            event.accept()
            return True
        return super().event(event)

    def _inside(self, point: QPointF) -> bool:
        return self.pad_rect().contains(point)

    # Drawing -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.pad_rect()
        painter.fillRect(rect, QColor("white"))
        painter.setPen(QPen(QColor(150, 150, 150), 1, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        baseline = rect.top() + rect.height() * 0.75
        painter.drawLine(QPointF(rect.left() + 20, baseline), QPointF(rect.right() - 20, baseline))
        if not self.model.point_count:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("Sign here"))
        scale = rect.width() / self.model.pad_size[0]
        full = self.model.pad_size[1] / 90 * scale  # pen width at full pressure
        for stroke in self.model.strokes:
            self._draw_stroke(painter, stroke, full)
        painter.end()

    def _draw_stroke(self, painter: QPainter, stroke: list[SignaturePoint], full: float) -> None:
        if len(stroke) == 1:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_INK)
            painter.drawEllipse(self._from_pad(stroke[0]), full / 2, full / 2)
            return
        for a, b in itertools.pairwise(stroke):
            pen = QPen(_INK, full * (0.3 + 0.9 * b.pressure))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            path = QPainterPath(self._from_pad(a))
            path.lineTo(self._from_pad(b))
            painter.drawPath(path)
