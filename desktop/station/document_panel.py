"""The document panel of a station window: the agreement's pages, paging, and what is amiss.

Every party sees the page view of its :class:`~desktop.station.live_document.LiveDocument`, with
previous / next buttons and the page number under it. The prosecutor also has "Load
agreement…", which picks the PDF with a file dialog; the prosecutor's paging is shown to the
others, whose pages follow it (they may still page for themselves).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.station.live_document import LiveDocument
from desktop.station.page_view import PageView


class DocumentPanel(QWidget):
    """The document on screen, with its paging buttons and notices."""

    def __init__(self, document: LiveDocument) -> None:
        super().__init__()
        self._document = document
        self.page_view = PageView(document.pages)
        self.load_button = QPushButton(self.tr("Load agreement…"))
        self.load_button.setVisible(document.presenter)
        self.load_button.clicked.connect(self._choose_file)
        self.previous_button = QPushButton(self.tr("◀ Previous page"))
        self.next_button = QPushButton(self.tr("Next page ▶"))
        self.previous_button.clicked.connect(lambda: document.turn(-1))
        self.next_button.clicked.connect(lambda: document.turn(1))
        self.page_text = QLabel()
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "background: #fff1e6; color: #8a1c00; padding: 4px; border: 1px solid #e0a080;"
        )
        self.notice.hide()
        paging = QHBoxLayout()
        paging.addWidget(self.load_button)
        paging.addStretch(1)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.page_text)
        paging.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.page_view, 1)
        layout.addWidget(self.notice)
        layout.addLayout(paging)
        document.pages.page_changed.connect(self._show_page_number)
        document.notice_changed.connect(self.show_notice)
        self._show_page_number(document.pages.page, len(document.pages.pages))

    def show_notice(self, text: str) -> None:
        """Show ``text`` under the document until it is replaced; "" hides the notice."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _show_page_number(self, page: int, count: int) -> None:
        self.page_text.setText(
            self.tr("Page %1 of %2").replace("%1", str(page)).replace("%2", str(count))
            if count
            else ""
        )
        self.previous_button.setEnabled(page > 1)
        self.next_button.setEnabled(0 < page < count)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load the plea agreement"), "", self.tr("PDF documents (*.pdf)")
        )
        if name:
            self._document.load_agreement(Path(name))
