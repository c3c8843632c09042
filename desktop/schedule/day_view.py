"""The day view for detention-centre staff: the day grid, a legend, the selected booking's
details, and the buttons that record bringing the suspect in (提押) and back (还押)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.schedule.day_view_model import Block, DayViewModel
from desktop.schedule.grid import STATE_COLOURS, DayGrid
from desktop.schedule.texts import state_text
from session.scheduling.model import Role
from session.scheduling.store import BookingState

#: How often the view reads the store again, for states the hub changes (milliseconds).
REFRESH_MS = 5000


class DayView(QMainWindow):
    """One day of rooms and sessions; staff select a booking to bring its suspect in or back."""

    def __init__(self, model: DayViewModel) -> None:
        super().__init__()
        self._model = model
        self.setWindowTitle(self.tr("PleaDesk — rooms and sessions"))
        self.grid = DayGrid(model)
        self.day_label = QLabel()
        self.day_label.setObjectName("day")
        self.take_out_button = QPushButton(self.tr("Bring in (提押)"))
        self.return_button = QPushButton(self.tr("Return (还押)"))
        self.details: dict[str, QLabel] = {}
        self.setCentralWidget(self._layout())
        self.resize(1280, 720)
        self.grid.selection_changed.connect(lambda _: self._show_selected())
        self.grid.drag_feedback.connect(self._show_feedback)
        self.take_out_button.clicked.connect(lambda: model.take_out(self.grid.selected))
        self.return_button.clicked.connect(lambda: model.bring_back(self.grid.selected))
        model.bookings_changed.connect(self._show_day)
        model.refused.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        model.custody_recorded.connect(self._show_custody)
        self._timer = QTimer(self)
        self._timer.timeout.connect(model.refresh)
        self._timer.start(REFRESH_MS)
        self._show_day()

    def _layout(self) -> QWidget:
        previous, following = QPushButton("◀"), QPushButton("▶")
        previous.setToolTip(self.tr("Previous day"))
        following.setToolTip(self.tr("Next day"))
        previous.clicked.connect(lambda: self._model.step_day(-1))
        following.clicked.connect(lambda: self._model.step_day(1))
        top = QHBoxLayout()
        top.addWidget(previous)
        top.addWidget(self.day_label)
        top.addWidget(following)
        top.addStretch(1)
        for state in BookingState:
            swatch = QLabel(state_text(state))
            swatch.setStyleSheet(
                f"background: {STATE_COLOURS[state].name()}; padding: 2px 8px; border-radius: 3px;"
                + (" color: white;" if state is BookingState.RETURNED else "")
            )
            top.addWidget(swatch)
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        body = QHBoxLayout()
        body.addWidget(scroll, 1)
        body.addWidget(self._panel())
        column = QVBoxLayout()
        column.addLayout(top)
        column.addLayout(body, 1)
        root = QWidget()
        root.setLayout(column)
        return root

    def _panel(self) -> QWidget:
        form = QFormLayout()
        rows = [
            ("case", self.tr("Case")),
            ("suspect", self.tr("Suspect")),
            ("time", self.tr("Time")),
            ("room", self.tr("Room")),
            ("prosecutor", self.tr("Prosecutor")),
            ("lawyer", self.tr("Duty lawyer")),
            ("interpreter", self.tr("Interpreter")),
            ("state", self.tr("State")),
            ("taken_out", self.tr("Brought in at")),
            ("returned", self.tr("Returned at")),
        ]
        for key, caption in rows:
            self.details[key] = QLabel("—")
            self.details[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption, self.details[key])
        column = QVBoxLayout()
        column.addLayout(form)
        column.addWidget(self.take_out_button)
        column.addWidget(self.return_button)
        column.addStretch(1)
        panel = QWidget()
        panel.setLayout(column)
        panel.setFixedWidth(300)
        return panel

    def _show_day(self) -> None:
        self.day_label.setText(
            self.tr("%1 — %2 sessions")
            .replace("%1", f"{self._model.day:%Y-%m-%d}")
            .replace("%2", str(len(self._model.blocks())))
        )
        self._show_selected()

    def _show_selected(self) -> None:
        block = self._model.block(self.grid.selected)
        self.take_out_button.setEnabled(block is not None and block.custody.taken_out_at is None)
        self.return_button.setEnabled(
            block is not None
            and block.custody.taken_out_at is not None
            and block.custody.returned_at is None
        )
        for key, text in self._detail_texts(block).items():
            self.details[key].setText(text)

    def _detail_texts(self, block: Block | None) -> dict[str, str]:
        if block is None:
            return {key: "—" for key in self.details}
        b = block.booking

        def when(moment: datetime | None) -> str:
            return f"{moment:%H:%M:%S}" if moment else "—"

        return {
            "case": block.request.case,
            "suspect": block.request.suspect,
            "time": f"{b.start:%H:%M}–{b.end:%H:%M}",
            "room": b.room,
            "prosecutor": self._model.person(Role.PROSECUTOR, b.prosecutor),
            "lawyer": self._model.person(Role.LAWYER, b.lawyer),
            "interpreter": self._model.person(Role.INTERPRETER, b.interpreter) or "—",
            "state": state_text(block.state),
            "taken_out": when(block.custody.taken_out_at),
            "returned": when(block.custody.returned_at),
        }

    def _show_feedback(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def _show_custody(self, request: str, kind: str, at: str) -> None:
        message = (
            self.tr("Request %1: suspect brought in at %2.")
            if kind == "take_out"
            else self.tr("Request %1: suspect returned at %2.")
        )
        self.statusBar().showMessage(message.replace("%1", request).replace("%2", at), 10_000)
