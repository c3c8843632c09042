"""The day grid: rooms as rows, time as columns, bookings as blocks coloured by state.

A block can be dragged to another time or room; while it moves, a ghost shows where it would go,
green if the rules allow it and red with the conflicts named if not. Dropping asks the model to
move it (the model refuses a clash).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.schedule.day_view_model import Block, DayViewModel
from desktop.schedule.texts import room_kind_text, state_text
from session.scheduling.store import BookingState

HEADER_WIDTH = 200
HEADER_HEIGHT = 30
ROW_HEIGHT = 52
PIXELS_PER_MINUTE = 4
RIGHT_MARGIN = 48  # room for the last hour's label
#: Pixels the mouse must travel before a press becomes a drag.
DRAG_START = 4

#: Fill colours of the booking states (text is dark on all but the darkest).
STATE_COLOURS = {
    BookingState.BOOKED: QColor("#9ec5fe"),
    BookingState.BROUGHT_IN: QColor("#ffd166"),
    BookingState.LIVE: QColor("#ef476f"),
    BookingState.SIGNED: QColor("#06d6a0"),
    BookingState.ENDED: QColor("#c0a8e8"),
    BookingState.RETURNED: QColor("#8d99ae"),
}


class DayGrid(QWidget):
    """Draws one day of the model and lets staff select and drag bookings."""

    #: A booking was clicked: its request id ("" when the click hit no booking).
    selection_changed = Signal(str)
    #: While dragging: the conflicts at the spot under the mouse ("" where the move is allowed).
    drag_feedback = Signal(str)

    def __init__(self, model: DayViewModel) -> None:
        super().__init__()
        self._model = model
        self.selected = ""
        self._press: tuple[str, QPoint, int] | None = None  # request, where, x offset in block
        self._ghost: tuple[QRect, bool] | None = None
        self.setMouseTracking(False)
        model.bookings_changed.connect(self._relayout)
        self._relayout()

    # Geometry --------------------------------------------------------------------------------

    def _first(self) -> datetime:
        return self._model.hours()[0]

    def x_of(self, moment: datetime) -> int:
        """The x coordinate of a time of day."""
        return (
            HEADER_WIDTH + int((moment - self._first()).total_seconds() // 60) * PIXELS_PER_MINUTE
        )

    def time_at(self, x: int) -> datetime:
        """The time of day at x, to the minute."""
        minutes = round((x - HEADER_WIDTH) / PIXELS_PER_MINUTE)
        return self._first() + timedelta(minutes=minutes)

    def row_of(self, room_id: str) -> int:
        """The row of a room."""
        return [r.id for r in self._model.rooms()].index(room_id)

    def room_at(self, y: int) -> str:
        """The room of the row at y (the nearest row when outside)."""
        rooms = self._model.rooms()
        row = min(max((y - HEADER_HEIGHT) // ROW_HEIGHT, 0), len(rooms) - 1)
        return rooms[row].id

    def block_rect(self, request_id: str) -> QRect:
        """Where a booking's block is drawn."""
        block = self._model.block(request_id)
        if block is None:
            return QRect()
        return self._rect(block.booking.room, block.booking.start, block.booking.end)

    def _rect(self, room: str, start: datetime, end: datetime) -> QRect:
        top = HEADER_HEIGHT + self.row_of(room) * ROW_HEIGHT + 4
        left, right = self.x_of(start), self.x_of(end)
        return QRect(left, top, max(right - left, 6), ROW_HEIGHT - 8)

    def _relayout(self) -> None:
        first, last = self._model.hours()
        minutes = int((last - first).total_seconds() // 60)
        width = HEADER_WIDTH + minutes * PIXELS_PER_MINUTE + RIGHT_MARGIN
        height = HEADER_HEIGHT + len(self._model.rooms()) * ROW_HEIGHT + 1
        self.setFixedSize(QSize(width, height))
        self.update()

    # Drawing ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the hours, the rooms' open times, the blocks and any drag ghost."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#f4f4f4"))
        self._draw_rows(painter)
        self._draw_hours(painter)
        font = QFont(painter.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        for block in self._model.blocks():
            self._draw_block(painter, block, font)
        if self._ghost is not None:
            rect, allowed = self._ghost
            colour = QColor("#2b9348") if allowed else QColor("#d00000")
            painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
            fill = QColor(colour)
            fill.setAlpha(50)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 4, 4)
        painter.end()

    def _draw_rows(self, painter: QPainter) -> None:
        closed = QBrush(QColor("#dcdcdc"), Qt.BrushStyle.BDiagPattern)
        for row, room in enumerate(self._model.rooms()):
            top = HEADER_HEIGHT + row * ROW_HEIGHT
            lane = QRect(HEADER_WIDTH, top, self.width() - HEADER_WIDTH, ROW_HEIGHT)
            painter.fillRect(lane, QColor("#e9e9e9"))
            painter.fillRect(lane, closed)
            for window in self._model.open_hours(room):
                left, right = self.x_of(window.start), self.x_of(window.end)
                painter.fillRect(QRect(left, top, right - left, ROW_HEIGHT), QColor("#ffffff"))
            painter.setPen(QColor("#c8c8c8"))
            painter.drawLine(0, top + ROW_HEIGHT, self.width(), top + ROW_HEIGHT)
            painter.setPen(QColor("#202020"))
            label = QRect(8, top + 4, HEADER_WIDTH - 12, ROW_HEIGHT - 8)
            metrics = painter.fontMetrics()
            lines = [f"{room.id}  {room.name}".strip(), room_kind_text(room.kind)]
            text = "\n".join(
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, label.width())
                for line in lines
            )
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter, text)

    def _draw_hours(self, painter: QPainter) -> None:
        first, last = self._model.hours()
        moment = first
        while moment <= last:
            x = self.x_of(moment)
            strong = moment.minute == 0
            painter.setPen(QColor("#a0a0a0" if strong else "#e0e0e0"))
            painter.drawLine(x, HEADER_HEIGHT if strong else HEADER_HEIGHT + 1, x, self.height())
            if strong:
                painter.setPen(QColor("#202020"))
                painter.drawText(x + 3, HEADER_HEIGHT - 9, f"{moment:%H:%M}")
            moment += timedelta(minutes=15)

    def _draw_block(self, painter: QPainter, block: Block, font: QFont) -> None:
        rect = self._rect(block.booking.room, block.booking.start, block.booking.end)
        selected = block.booking.request == self.selected
        painter.setBrush(STATE_COLOURS[block.state])
        painter.setPen(QPen(QColor("#1b1b1b" if selected else "#5a5a5a"), 3 if selected else 1))
        painter.drawRoundedRect(rect, 4, 4)
        dark = block.state is BookingState.RETURNED
        painter.setPen(QColor("#ffffff" if dark else "#111111"))
        painter.setFont(font)
        inner = rect.adjusted(4, 2, -3, -2)
        metrics = painter.fontMetrics()
        lines = [
            block.booking.request,
            block.request.suspect,
            f"{block.booking.start:%H:%M}",
        ]
        text = "\n".join(
            metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width()) for line in lines
        )
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)

    # Mouse -----------------------------------------------------------------------------------

    def block_at(self, point: QPoint) -> str:
        """The request whose block is under ``point``, or ""."""
        for block in reversed(self._model.blocks()):
            if self.block_rect(block.booking.request).contains(point):
                return block.booking.request
        return ""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the block under the mouse and get ready to drag it."""
        point = event.position().toPoint()
        request = self.block_at(point)
        self.selected = request
        self.selection_changed.emit(request)
        self._press = (
            (request, point, point.x() - self.block_rect(request).x()) if request else None
        )
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show where the dragged block would go, and whether it may."""
        if self._press is None:
            return
        request, origin, offset = self._press
        point = event.position().toPoint()
        if self._ghost is None and (point - origin).manhattanLength() < DRAG_START:
            return
        room, start = self._target(point, offset)
        block = self._model.block(request)
        assert block is not None
        problems = self._model.conflicts_for_move(request, room, start)
        end = start + (block.booking.end - block.booking.start)
        self._ghost = (self._rect(room, start, end), not problems)
        self.drag_feedback.emit(" ".join(problems))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Drop the dragged block: ask the model to move it there."""
        press, dragged = self._press, self._ghost is not None
        self._press, self._ghost = None, None
        self.update()
        if press is None or not dragged:
            return
        request, _, offset = press
        room, start = self._target(event.position().toPoint(), offset)
        self.drag_feedback.emit("")
        self._model.move(request, room, start)

    def _target(self, point: QPoint, offset: int) -> tuple[str, datetime]:
        return self.room_at(point.y()), self.time_at(point.x() - offset)

    def event(self, event: QEvent) -> bool:
        """Show a booking's details as its tooltip."""
        if event.type() == QEvent.Type.ToolTip:
            point = event.pos()  # type: ignore[attr-defined]
            block = self._model.block(self.block_at(point))
            if block is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._tooltip(block), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    @staticmethod
    def _tooltip(block: Block) -> str:
        b = block.booking
        return (
            f"{block.request.case}\n{b.request} · {block.request.suspect}\n"
            f"{b.start:%H:%M}–{b.end:%H:%M} · {b.room}\n"
            f"{b.prosecutor} · {b.lawyer}{' · ' + b.interpreter if b.interpreter else ''}\n"
            f"{state_text(block.state)}"
        )
