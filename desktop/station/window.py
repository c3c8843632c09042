"""A party's station window: the other parties' live pictures, the session's state and steps on
one side; the agreement, the signature pad and (for the duty lawyer) the witness view on the
other."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.station.actions import StationActions
from desktop.station.document_panel import DocumentPanel
from desktop.station.live_document import AGREEMENT_STATES, LiveDocument
from desktop.station.model import PREVIEW_SIZE, StationModel
from desktop.station.party_tile import PartyTile
from desktop.station.signature_pad import SignaturePad
from desktop.station.witness_view import WitnessView
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
#: The duty lawyer watches this party sign.
WITNESSED = "suspect"
#: Size that fits a 1366 × 768 screen with its panel and the window's frame.
WINDOW_SIZE = (1320, 700)


class StationWindow(QMainWindow):
    """What one party sees; what the user asks for goes to ``actions`` and ``document``."""

    def __init__(
        self, role: str, model: StationModel, document: LiveDocument, actions: StationActions
    ) -> None:
        super().__init__()
        self.role = role
        self._actions = actions
        self.setWindowTitle(self.tr("PleaDesk — %s") % role_label(role))
        self.tiles = {other: PartyTile(other) for other in ROLES if other != role}
        self.state_text = QLabel(state_label("unknown"))
        self.state_text.setObjectName("state")
        self.state_text.setWordWrap(True)
        self.state_text.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.recording_light = QLabel()
        self.recording_light.setObjectName("recording")
        self.hand_button = QPushButton(self.tr("Raise hand"))
        self.hand_button.setCheckable(True)
        self.hand_button.toggled.connect(self._hand_toggled)
        self.next_button = QPushButton()
        self.next_button.setVisible(role == "prosecutor")
        self.next_button.clicked.connect(self._next_clicked)
        self.document_panel = DocumentPanel(document)
        self.pad = SignaturePad(document.pad) if document.pad is not None else None
        self.witness = WitnessView(model, WITNESSED) if role == "lawyer" else None
        self.signing_box = self._signing_box(document)
        self.setCentralWidget(self._layout())
        self.resize(*WINDOW_SIZE)
        self._show_state("unknown", "")
        model.state_changed.connect(self._show_state)
        model.frame_ready.connect(self._show_frame)
        model.peer_changed.connect(self._show_peer)
        model.hand_raised.connect(self._show_hand)
        model.refused.connect(lambda _code, text: self._tell(text))
        actions.failed.connect(self._tell)
        if self.witness is not None:
            document.pages.document_shown.connect(self.witness.clear)

    def _signing_box(self, document: LiveDocument) -> QGroupBox | None:
        if self.pad is None and self.witness is None:
            return None
        box = QGroupBox(self.tr("Signature"))
        row = QHBoxLayout(box)
        if self.pad is not None:
            self.pad.setEnabled(document.can_sign)
            self.pad.setMinimumSize(360, 220)
            document.signing_changed.connect(self.pad.setEnabled)
            self.pad.model.rejected.connect(self._tell)
            row.addWidget(self.pad, 3)
        if self.witness is not None:
            row.addWidget(self.witness, 2)
        box.hide()  # shown from the agreement's presentation on
        return box

    def _layout(self) -> QWidget:
        top = QHBoxLayout()
        top.addWidget(self.state_text, 1)
        top.addWidget(self.recording_light, 0, Qt.AlignmentFlag.AlignTop)
        people = QVBoxLayout()
        people.addLayout(top)
        for tile in self.tiles.values():
            people.addWidget(tile)
        people.addStretch(1)
        people.addWidget(self.hand_button)
        people.addWidget(self.next_button)
        side = QWidget()
        side.setLayout(people)
        side.setFixedWidth(PREVIEW_SIZE[0] + 24)
        work = QVBoxLayout()
        work.addWidget(self.document_panel, 1)
        if self.signing_box is not None:
            work.addWidget(self.signing_box)
        root = QWidget()
        row = QHBoxLayout(root)
        row.addWidget(side)
        row.addLayout(work, 1)
        return root

    def _show_state(self, state: str, reason: str) -> None:
        text = state_label(state)
        self.state_text.setText(f"{text} — {reason}" if reason else text)
        live = state in {s.value for s in LIVE_STATES}
        self.recording_light.setText(self.tr("● REC") if live else self.tr("○ not recording"))
        self.recording_light.setStyleSheet(
            "color: #d00000; font-weight: bold;" if live else "color: #808080;"
        )
        step = next((s for known, s in NEXT_STEP.items() if known.value == state), None)
        self.next_button.setEnabled(step is not None)
        self.next_button.setText(step_label(step) if step else self.tr("Waiting…"))
        self.next_button.setProperty("step", step)
        if self.signing_box is not None and state != State.INTERRUPTED:
            self.signing_box.setVisible(state in AGREEMENT_STATES)

    def _show_frame(self, role: str, image: QImage) -> None:
        tile = self.tiles.get(role)
        if tile is not None:
            tile.show_frame(image)

    def _show_peer(self, role: str, present: bool) -> None:
        tile = self.tiles.get(role)
        if tile is not None and not present:
            tile.show_left()

    def _show_hand(self, role: str, raised: bool) -> None:
        tile = self.tiles.get(role)
        if tile is not None:
            tile.show_hand(raised)

    def _hand_toggled(self, raised: bool) -> None:
        self._actions.raise_hand(raised)
        if not self._actions.sharing:  # not sent (the user was told why): the hand stays as it was
            self.hand_button.blockSignals(True)
            self.hand_button.setChecked(not raised)
            self.hand_button.blockSignals(False)
            raised = not raised
        self.hand_button.setText(self.tr("Lower hand") if raised else self.tr("Raise hand"))

    def _tell(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    def _next_clicked(self) -> None:
        step = self.next_button.property("step")
        if step:
            self._actions.request_step(step)
