"""The page view: the document a signer reads, page by page, with the identity of its bytes.

Shows the page on screen of :class:`~desktop.station.page_view_model.PageViewModel` in a scroll
area, narrowed to the view's width where the page is wider, and above it the SHA-256 of the PDF it
was rendered from, so the signer and the people watching the recording can see which document
is on screen. One page at a time: the page a prosecutor shows is the page the others see.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.station.page_view_model import PageViewModel

_GAP = 24  # pixels around a page fitted to the view's width (room for the scroll bar)


class PageView(QWidget):
    """The page on screen of the document, with its SHA-256 and page count above it."""

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
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._pages)
        scroll.setStyleSheet("QScrollArea { background: #5a5f66; }")
        self.scroll_area = scroll
        self._fitted_width = -1  # the width the pages were last fitted to
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.identity)
        layout.addWidget(scroll, 1)
        model.document_shown.connect(self._show)
        model.show_failed.connect(self._fail)
        model.page_changed.connect(self._turn)

    @property
    def page_labels(self) -> list[QLabel]:
        """The labels holding the page images, first page first (only the page on screen is
        visible)."""
        items = (self._column.itemAt(i) for i in range(self._column.count()))
        return [w for item in items if item and isinstance(w := item.widget(), QLabel)]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _clear(self) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _show(self, sha256: str, count: int) -> None:
        self._clear()
        for _ in self._model.pages:
            label = QLabel()
            label.setStyleSheet("background: white;")
            self._column.addWidget(label)
        self._fitted_width = -1
        self.identity.setText(
            self.tr("Document SHA-256: %1 · pages: %2 · This is the document you sign.")
            .replace("%1", sha256)
            .replace("%2", str(count))
        )
        self._fit()
        self._turn(self._model.page, count)

    def _turn(self, page: int, _count: int) -> None:
        for number, label in enumerate(self.page_labels, start=1):
            label.setVisible(number == page)
        self.scroll_area.verticalScrollBar().setValue(0)

    def _fit(self) -> None:
        """Narrow the pages to the view's width (never wider than rendered: that would blur).

        Smooth scaling holds the interpreter for tens of milliseconds a page, time the engine
        thread waits: only when the width really changed."""
        width = self.scroll_area.viewport().width() - _GAP if self.isVisible() else 0
        if width == self._fitted_width:
            return
        self._fitted_width = width
        for label, image in zip(self.page_labels, self._model.pages, strict=False):
            pixmap = QPixmap.fromImage(image)
            if 0 < width < image.width():
                pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(pixmap)

    def _fail(self, message: str) -> None:
        self._clear()
        self.identity.setText(self.tr("The document cannot be shown: %1").replace("%1", message))
