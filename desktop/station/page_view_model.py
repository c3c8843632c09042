"""The view-model of the page view: a PDF's pages as images, and the hash of those bytes.

The suspect terminal and the lawyer station show a document with this model: the pages are
rendered from the very PDF bytes that will be signed (:func:`documents.pdf.preview.render_pages`),
and :attr:`PageViewModel.sha256` is the SHA-256 of those bytes, which the signature pad sends
back with the handwriting. Rendering runs in a worker thread; results come back to the GUI
thread through :class:`~desktop.bridge.GuiBridge`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.bridge import GuiBridge
from documents.pdf.preview import PageImages, PreviewError, render_pages

#: Runs a function in a worker thread (tests pass one that runs it at once).
RunInThread = Callable[[Callable[[], None]], None]


class PageViewModel(QObject):
    """Holds the document shown to a signer: its bytes, their SHA-256 and the page images."""

    #: A document is on screen: (SHA-256 of its PDF bytes, number of pages).
    document_shown = Signal(str, int)
    #: A document could not be shown: the message for the user.
    show_failed = Signal(str)
    #: Another page is on screen: (page from 1, number of pages); (0, 0) when none is.
    page_changed = Signal(int, int)

    def __init__(
        self, bridge: GuiBridge, run_in_thread: RunInThread | None = None, dpi: int = 110
    ) -> None:
        super().__init__()
        self._bridge = bridge
        self._executor: ThreadPoolExecutor | None = None
        if run_in_thread is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="pages")
            run_in_thread = self._submit
        self._run = run_in_thread
        self._dpi = dpi
        self._tokens = itertools.count(1)
        self._pending = 0
        self._pdf = b""
        self._sha256 = ""
        self._pages: list[QImage] = []
        self._page = 0

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the PDF on screen; empty while none is shown."""
        return self._sha256

    @property
    def pdf(self) -> bytes:
        """The PDF bytes on screen."""
        return self._pdf

    @property
    def pages(self) -> list[QImage]:
        """The page images on screen, first page first."""
        return list(self._pages)

    @property
    def page(self) -> int:
        """The page on screen, from 1; 0 while no document is shown."""
        return self._page

    def go_to(self, page: int) -> int:
        """Put ``page`` on screen (kept within the document); return the page now shown."""
        page = min(max(page, 1), len(self._pages)) if self._pages else 0
        if page != self._page:
            self._page = page
            self.page_changed.emit(page, len(self._pages))
        return page

    def show_pdf(self, pdf: bytes) -> None:
        """Render ``pdf`` in the background and show it; a newer call wins over an older one."""
        token = self._pending = next(self._tokens)

        def work() -> None:
            try:
                images = render_pages(pdf, self._dpi)
            except (PreviewError, OSError) as exc:
                self._bridge.run_on_main(self._failed, token, str(exc))
            else:
                self._bridge.run_on_main(self._shown, token, pdf, images)

        self._run(work)

    def _submit(self, work: Callable[[], None]) -> None:
        assert self._executor is not None
        self._executor.submit(work)

    def close(self) -> None:
        """Stop the worker thread (waits for a rendering in progress)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def _shown(self, token: int, pdf: bytes, images: PageImages) -> None:
        if token != self._pending:
            return  # a newer document was asked for meanwhile
        pages = [QImage.fromData(png) for png in images.pages]
        if any(page.isNull() for page in pages):
            self._failed(token, "A page image could not be read.")
            return
        self._pdf, self._sha256, self._pages, self._page = pdf, images.sha256, pages, 1
        self.page_changed.emit(1, len(pages))  # first: a listener may turn the page at once
        self.document_shown.emit(images.sha256, len(pages))

    def _failed(self, token: int, message: str) -> None:
        if token != self._pending:
            return
        self._pdf, self._sha256, self._pages, self._page = b"", "", [], 0
        self.show_failed.emit(message)
        self.page_changed.emit(0, 0)
