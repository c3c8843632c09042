"""One other party's tile in a station window: name, live picture and a raised-hand mark."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.station.model import PREVIEW_SIZE
from desktop.texts import role_label


class PartyTile(QWidget):
    """The ``role``'s name over its picture; a mark on the picture while its hand is raised."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role
        self.caption = QLabel(role_label(role))
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture = QLabel(self.tr("Waiting for video…"))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(*PREVIEW_SIZE)
        self.picture.setStyleSheet("background: #202428; color: #c8c8c8;")
        # On the picture itself, so that nobody looking at the party can miss it.
        self.hand = QLabel(self.tr("Hand raised"), self.picture)
        self.hand.setObjectName("hand")
        self.hand.setStyleSheet(
            "background: #ffd23f; color: #202020; font-size: 15px; font-weight: bold;"
            " padding: 4px 10px; border: 2px solid #202020; border-radius: 4px;"
        )
        self.hand.adjustSize()
        self.hand.move(8, 8)
        self.hand.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.picture)

    @property
    def hand_raised(self) -> bool:
        """Whether the raised-hand mark is showing."""
        return not self.hand.isHidden()

    def show_frame(self, image: QImage) -> None:
        """Show the party's newest picture."""
        self.picture.setPixmap(QPixmap.fromImage(image))

    def show_hand(self, raised: bool) -> None:
        """Show or take away the raised-hand mark."""
        self.hand.setVisible(raised)
        self.hand.raise_()

    def show_left(self) -> None:
        """The party left: no picture, no hand."""
        self.picture.clear()
        self.picture.setText(self.tr("%s has left") % role_label(self.role))
        self.show_hand(False)
