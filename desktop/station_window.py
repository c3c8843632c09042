"""A party's station window: the other parties' live pictures, the session's state, its steps."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.station_model import PREVIEW_SIZE, StationModel
from desktop.texts import role_label, state_label, step_label
from session.machine import LIVE_STATES, TRANSITIONS, State

ROLES = ("suspect", "prosecutor", "lawyer")
# Steps the prosecutor takes with the one "next step" button, and which one each state offers.
PROSECUTOR_BUTTON_STEPS = frozenset(
    (
        "announce",
        "notify_rights",
        "begin_hearing",
        "present_agreement",
        "begin_signing",
        "close",
        "resume",
    )
)
NEXT_STEP = {
    state: step.value
    for state, steps in TRANSITIONS.items()
    for step in steps
    if step.value in PROSECUTOR_BUTTON_STEPS
}


class StationWindow(QMainWindow):
    """What one party sees; ``request_step`` is called with the step the user asks for."""

    def __init__(self, role: str, model: StationModel, request_step: Callable[[str], None]) -> None:
        super().__init__()
        self.role = role
        self._request_step = request_step
        self.setWindowTitle(self.tr("PleaDesk — %s") % role_label(role))
        self.tiles: dict[str, QLabel] = {}
        self.state_text = QLabel(state_label("unknown"))
        self.state_text.setObjectName("state")
        self.recording_light = QLabel()
        self.recording_light.setObjectName("recording")
        self.next_button = QPushButton()
        self.next_button.setVisible(role == "prosecutor")
        self.next_button.clicked.connect(self._next_clicked)
        self.setCentralWidget(self._layout())
        self._show_state("unknown", "")
        model.state_changed.connect(self._show_state)
        model.frame_ready.connect(self._show_frame)
        model.peer_changed.connect(self._show_peer)
        model.refused.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _layout(self) -> QWidget:
        top = QHBoxLayout()
        top.addWidget(self.state_text, 1)
        top.addWidget(self.recording_light)
        grid = QGridLayout()
        others = [r for r in ROLES if r != self.role]
        for column, other in enumerate(others):
            caption = QLabel(role_label(other))
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile = QLabel(self.tr("Waiting for video…"))
            tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile.setFixedSize(*PREVIEW_SIZE)
            tile.setStyleSheet("background: #202428; color: #c8c8c8;")
            self.tiles[other] = tile
            grid.addWidget(caption, 0, column)
            grid.addWidget(tile, 1, column)
        column = QVBoxLayout()
        column.addLayout(top)
        column.addLayout(grid)
        column.addWidget(self.next_button)
        root = QWidget()
        root.setLayout(column)
        return root

    def _show_state(self, state: str, reason: str) -> None:
        text = state_label(state)
        self.state_text.setText(f"{text} — {reason}" if reason else text)
        live = state in {s.value for s in LIVE_STATES}
        self.recording_light.setText(self.tr("● REC") if live else self.tr("○ not recording"))
        self.recording_light.setStyleSheet(
            "color: #d00000; font-weight: bold;" if live else "color: #808080;"
        )
        step = NEXT_STEP.get(State(state)) if state in State._value2member_map_ else None
        self.next_button.setEnabled(step is not None)
        self.next_button.setText(step_label(step) if step else self.tr("Waiting…"))
        self.next_button.setProperty("step", step)

    def _show_frame(self, role: str, image: QImage) -> None:
        tile = self.tiles.get(role)
        if tile is not None:
            tile.setPixmap(QPixmap.fromImage(image))

    def _show_peer(self, role: str, present: bool) -> None:
        tile = self.tiles.get(role)
        if tile is not None and not present:
            tile.clear()
            tile.setText(self.tr("%s has left") % role_label(role))

    def _next_clicked(self) -> None:
        step = self.next_button.property("step")
        if step:
            self._request_step(step)
