"""The page view shows pages rendered from the very PDF bytes, identified by their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import pytest

from desktop.application import make_application
from desktop.bridge import GuiBridge
from desktop.station.page_view import PageView
from desktop.station.page_view_model import PageViewModel
from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_agreement(demo_agreement("案", "S-1", on=date(2026, 11, 22)), {})


@pytest.fixture
def view(qtbot) -> tuple[PageView, PageViewModel, list[Callable[[], None]]]:
    make_application()
    queued: list[Callable[[], None]] = []
    model = PageViewModel(GuiBridge(), run_in_thread=queued.append, dpi=40)
    widget = PageView(model)
    qtbot.addWidget(widget)
    return widget, model, queued


def test_pages_of_the_pdf_are_shown_with_its_hash(view, pdf: bytes, qtbot) -> None:
    widget, model, queued = view
    model.show_pdf(pdf)
    with qtbot.waitSignal(model.document_shown, timeout=10_000) as shown:
        queued.pop()()
    digest = hashlib.sha256(pdf).hexdigest()
    assert shown.args == [digest, 2]
    assert model.sha256 == digest and model.pdf == pdf
    labels = widget.page_labels
    assert len(labels) == 2 and all(not label.pixmap().isNull() for label in labels)
    # An A4 page at 40 dpi: 331 × 468 pixels.
    assert (labels[0].pixmap().width(), labels[0].pixmap().height()) == (331, 468)
    assert digest in widget.identity.text()


def test_a_damaged_pdf_is_reported_not_shown(view, pdf: bytes, qtbot) -> None:
    widget, model, queued = view
    model.show_pdf(pdf)
    with qtbot.waitSignal(model.document_shown, timeout=10_000):
        queued.pop()()
    model.show_pdf(b"%PDF-1.7 this is not a document")
    with qtbot.waitSignal(model.show_failed, timeout=10_000) as failed:
        queued.pop()()
    assert "could not be shown" in failed.args[0] or "no pages" in failed.args[0]
    assert model.sha256 == "" and widget.page_labels == []
    # The reason is on screen (in the user's language around it); no hash of a document is.
    assert failed.args[0] in widget.identity.text()
    assert hashlib.sha256(pdf).hexdigest() not in widget.identity.text()


def test_only_the_newest_document_is_shown(view, pdf: bytes, qtbot) -> None:
    _, model, queued = view
    newer = render_agreement(demo_agreement("案", "S-2", on=date(2026, 11, 22)), {})
    model.show_pdf(pdf)
    model.show_pdf(newer)
    seen: list[str] = []
    model.document_shown.connect(lambda sha, _pages: seen.append(sha))
    with qtbot.waitSignal(model.document_shown, timeout=10_000):
        queued.pop()()  # the newer one finishes first
    queued.pop()()  # the older one finishes late and must not replace it
    qtbot.wait(50)
    assert seen == [hashlib.sha256(newer).hexdigest()]
    assert model.pdf == newer


def test_rendering_runs_in_a_worker_thread(pdf: bytes, qtbot) -> None:
    make_application()
    model = PageViewModel(GuiBridge(), dpi=30)
    try:
        with qtbot.waitSignal(model.document_shown, timeout=20_000) as shown:
            model.show_pdf(pdf)
        assert shown.args[1] == 2 and len(model.pages) == 2
    finally:
        model.close()


def test_one_page_at_a_time_within_the_document(view, pdf: bytes, qtbot) -> None:
    widget, model, queued = view
    widget.show()
    qtbot.waitExposed(widget)
    turned: list[tuple[int, int]] = []
    model.page_changed.connect(lambda page, count: turned.append((page, count)))
    model.show_pdf(pdf)
    with qtbot.waitSignal(model.document_shown, timeout=10_000):
        queued.pop()()
    first, second = widget.page_labels
    assert model.page == 1 and first.isVisible() and not second.isVisible()
    assert model.go_to(5) == 2  # kept within the document
    assert second.isVisible() and not first.isVisible()
    assert model.go_to(0) == 1
    assert turned == [(1, 2), (2, 2), (1, 2)]
