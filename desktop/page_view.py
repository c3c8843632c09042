"""The page view: the document a signer reads, page by page, with the identity of its bytes.

Shows the pages of :class:`~desktop.page_view_model.PageViewModel` one under the other in a
scroll area, and above them the SHA-256 of the PDF they were rendered from, so the signer and
the people watching the recording can see which document is on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.page_view_model import PageViewModel


class PageView(QWidget):
    """The pages of the document on screen, with its SHA-256 and page count above them."""

    def __init__(self, model: PageViewModel) -> None:
        super().__init__()
        self._model = model
        self.identity = QLabel(self.tr("No document is shown yet."))
        self.identity.setObjectName("identity")
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity.setWordWrap(True)
        self._pages = QWidget()
        self._column = QVBoxLayout(self._pages)
        self._column.setSpacing(12)
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._pages)
        scroll.setStyleSheet("QScrollArea { background: #5a5f66; }")
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.addWidget(self.identity)
        layout.addWidget(scroll, 1)
        model.document_shown.connect(self._show)
        model.show_failed.connect(self._fail)

    @property
    def page_labels(self) -> list[QLabel]:
        """The labels holding the page images, first page first."""
        return [
            w
            for i in range(self._column.count())
            if isinstance(w := self._column.itemAt(i).widget(), QLabel)
        ]

    def _clear(self) -> None:
        while self._column.count():
            widget = self._column.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _show(self, sha256: str, count: int) -> None:
        self._clear()
        for page in self._model.pages:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(page))
            label.setStyleSheet("background: white;")
            self._column.addWidget(label)
        self.identity.setText(
            self.tr("Document SHA-256: %1 · pages: %2 · This is the document you sign.")
            .replace("%1", sha256)
            .replace("%2", str(count))
        )
        self.scroll.verticalScrollBar().setValue(0)

    def _fail(self, message: str) -> None:
        self._clear()
        self.identity.setText(self.tr("The document cannot be shown: %1").replace("%1", message))
