"""What you see is what you sign: the agreement on each party's screen during the live session,
the signature pad bound to it, and the duty lawyer watching the suspect sign."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from station_fakes import FakeStation, station_parts, update

from desktop.station.signature_pad import SignaturePad
from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from session import messages as m


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_agreement(demo_agreement("案", "S-1", on=date(2026, 11, 22)), {})


@pytest.fixture(scope="module")
def other_pdf() -> bytes:
    return render_agreement(demo_agreement("案", "S-2", on=date(2026, 11, 22)), {})


def sha(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


@pytest.fixture
def party(request, qtbot, pdf):
    """(parts, model, fake station) for the role the test is parametrized with."""
    station = FakeStation(pdf)
    with station_parts(request.param, station) as (parts, model):
        qtbot.addWidget(parts.window)
        parts.window.show()
        qtbot.waitExposed(parts.window)
        yield parts, model, station


def present(model, qtbot, parts, pdf: bytes, page: int = 1) -> None:
    """The prosecutor shows ``page`` of ``pdf``; wait until this station shows it."""
    model.page_shown_from_engine(m.ShowPage(sha(pdf), page, "prosecutor"))
    qtbot.waitUntil(lambda: parts.pages.sha256 != "" and parts.pages.page == page, timeout=10_000)


def sign_with_mouse(pad: SignaturePad) -> None:
    def send(kind: QEvent.Type, x: float, y: float) -> None:
        rect = pad.pad_rect()
        point = QPointF(rect.left() + x * rect.width(), rect.top() + y * rect.height())
        released = kind == QEvent.Type.MouseButtonRelease
        held = Qt.MouseButton.NoButton if released else Qt.MouseButton.LeftButton
        event = QMouseEvent(kind, point, pad.mapToGlobal(point), Qt.MouseButton.LeftButton,
                            held, Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(pad, event)

    for stroke in range(2):
        send(QEvent.Type.MouseButtonPress, 0.2 + 0.3 * stroke, 0.5)
        for i in range(1, 12):
            send(QEvent.Type.MouseMove, 0.2 + 0.3 * stroke + 0.02 * i, 0.5 - 0.02 * (i % 3))
        send(QEvent.Type.MouseButtonRelease, 0.45 + 0.3 * stroke, 0.5)


@pytest.mark.parametrize("party", ["suspect", "lawyer"], indirect=True)
def test_the_pad_is_open_only_while_signing(party, qtbot, pdf):
    parts, model, _ = party
    pad = parts.window.pad
    assert pad is not None and not pad.isEnabled()
    model.state_changed_from_engine(update("agreement_presented"))
    present(model, qtbot, parts, pdf)
    qtbot.wait(20)
    assert not pad.isEnabled()
    model.state_changed_from_engine(update("signing"))
    qtbot.waitUntil(pad.isEnabled)
    assert parts.window.signing_box is not None and parts.window.signing_box.isVisible()
    model.state_changed_from_engine(update("signed"))
    qtbot.waitUntil(lambda: not pad.isEnabled())


@pytest.mark.parametrize("party", ["prosecutor"], indirect=True)
def test_the_prosecutor_never_has_a_pad(party, qtbot):
    parts, model, _ = party
    model.state_changed_from_engine(update("signing"))
    qtbot.waitUntil(lambda: parts.window.state_text.text() == "Signing")
    assert parts.window.pad is None and parts.document.pad is None
    assert parts.window.findChildren(SignaturePad) == []
    assert not parts.document.can_sign


@pytest.mark.parametrize("party", ["suspect"], indirect=True)
def test_the_prosecutors_page_brings_the_document_and_binds_the_pad(party, qtbot, pdf):
    parts, model, station = party
    present(model, qtbot, parts, pdf, page=2)
    assert station.fetches == 1
    assert parts.pages.sha256 == sha(pdf) and parts.pages.pdf == pdf
    assert parts.document.pad is not None and parts.document.pad.document_sha256 == sha(pdf)
    assert sha(pdf) in parts.window.document_panel.page_view.identity.text()
    assert parts.window.document_panel.page_text.text() == "Page 2 of 2"
    # The same document again: no new fetch, the page follows.
    model.page_shown_from_engine(m.ShowPage(sha(pdf), 1, "prosecutor"))
    qtbot.waitUntil(lambda: parts.pages.page == 1)
    assert station.fetches == 1
    # Only the prosecutor leads: the lawyer paging does not move the suspect's screen.
    model.page_shown_from_engine(m.ShowPage(sha(pdf), 2, "lawyer"))
    qtbot.wait(30)
    assert parts.pages.page == 1


@pytest.mark.parametrize("party", ["suspect"], indirect=True)
def test_a_document_other_than_the_one_shown_cannot_be_signed(party, qtbot, other_pdf):
    parts, model, _ = party
    model.state_changed_from_engine(update("signing"))
    # The prosecutor announces one document, the hub hands out another.
    model.page_shown_from_engine(m.ShowPage(sha(other_pdf), 1, "prosecutor"))
    notice = parts.window.document_panel.notice
    qtbot.waitUntil(lambda: notice.isVisible(), timeout=10_000)
    assert "not the one the prosecutor shows" in notice.text()
    assert parts.document.pad is not None and parts.document.pad.document_sha256 == ""
    assert not parts.window.pad.isEnabled()


@pytest.mark.parametrize("party", ["suspect"], indirect=True)
def test_the_signature_sent_is_bound_to_the_document_on_screen(party, qtbot, pdf):
    parts, model, station = party
    pad = parts.window.pad
    sign_with_mouse(pad)  # before signing: the closed pad takes nothing
    assert pad.model.point_count == 0
    present(model, qtbot, parts, pdf)
    model.state_changed_from_engine(update("signing"))
    qtbot.waitUntil(pad.isEnabled)
    sign_with_mouse(pad)
    qtbot.waitUntil(lambda: len(station.of_kind("stroke")) == 2)
    _, width, height, points = station.of_kind("stroke")[0]
    assert (width, height) == pad.model.pad_size and len(points) == 12
    pad.confirm_button.click()
    qtbot.waitUntil(lambda: len(station.of_kind("signature")) == 1)
    [(_, signature)] = station.of_kind("signature")
    assert signature["document_sha256"] == parts.pages.sha256 == sha(pdf)
    assert signature["role"] == "suspect" and len(signature["strokes"]) == 2
    # Sent: the pad closes until the hub answers.
    assert not pad.isEnabled()
    assert "sent" in parts.window.document_panel.notice.text()
    # The hub refuses it in words; the suspect may sign again.
    model.refused_from_engine(m.Refused("wrong_document", "签名时显示的文件不是出示的具结书"))
    qtbot.waitUntil(pad.isEnabled)
    assert "签名时显示的文件不是出示的具结书" in parts.window.document_panel.notice.text()
    assert "签名时显示的文件不是出示的具结书" in parts.window.statusBar().currentMessage()


@pytest.mark.parametrize("party", ["lawyer"], indirect=True)
def test_the_lawyer_watches_the_suspects_strokes_arrive(party, qtbot):
    parts, model, _ = party
    witness = parts.window.witness
    assert witness is not None
    model.state_changed_from_engine(update("signing"))
    qtbot.waitUntil(witness.isVisible)
    before = witness.grab().toImage()
    line = [[100.0 + 20 * i, 120.0, 0.01 * i, 0.6] for i in range(20)]
    model.stroke_drawn_from_engine(m.Stroke(600, 240, line, "suspect"))
    model.stroke_drawn_from_engine(m.Stroke(600, 240, [[0, 0, 0, 1]], "prosecutor"))
    qtbot.waitUntil(lambda: len(witness.strokes) == 1)
    after = witness.grab().toImage()
    rect = witness.paint_rect()
    x = int(rect.left() + 300 * rect.width() / 600)
    y = int(rect.top() + 120 * rect.width() / 600)
    assert after.pixelColor(x, y).lightness() < 100  # ink where the stroke ran
    assert before.pixelColor(x, y).lightness() > 200
    # A stroke whose time starts over: the suspect cleared the pad and began again.
    model.stroke_drawn_from_engine(m.Stroke(600, 240, [[10, 10, 0, 0.5], [20, 20, 0.1, 0.5]],
                                            "suspect"))  # fmt: skip
    qtbot.waitUntil(lambda: len(witness.strokes) == 1 and witness.strokes[0][0][0] == 10)


@pytest.mark.parametrize("party", ["prosecutor"], indirect=True)
def test_the_prosecutor_loads_the_agreement_and_shows_the_others(party, qtbot, pdf, tmp_path):
    parts, _, station = party
    station.agreement = b""
    path = tmp_path / "具结书.pdf"
    path.write_bytes(pdf)
    parts.document.load_agreement(path)
    qtbot.waitUntil(lambda: station.of_kind("page") == [("page", sha(pdf), 1)], timeout=10_000)
    assert station.agreement == pdf and parts.pages.sha256 == sha(pdf)
    parts.window.document_panel.next_button.click()
    qtbot.waitUntil(lambda: station.of_kind("page")[-1] == ("page", sha(pdf), 2))
    assert not parts.window.document_panel.next_button.isEnabled()


@pytest.mark.parametrize("party", ["prosecutor"], indirect=True)
def test_a_file_that_is_not_a_pdf_is_refused_in_words(party, qtbot, tmp_path):
    parts, _, station = party
    path = tmp_path / "notes.txt"
    path.write_text("not a document")
    parts.document.load_agreement(path)
    status = parts.window.statusBar()
    qtbot.waitUntil(lambda: "is not a PDF file" in status.currentMessage())
    assert station.of_kind("page") == []


@pytest.mark.parametrize("party", ["prosecutor"], indirect=True)
def test_a_presented_agreement_appears_even_if_loaded_elsewhere(party, qtbot, pdf):
    # The scripted prosecutor loads the agreement without the window: presenting it shows it.
    parts, model, station = party
    model.state_changed_from_engine(update("agreement_presented"))
    qtbot.waitUntil(lambda: parts.pages.sha256 == sha(pdf), timeout=10_000)
    assert station.fetches == 1 and station.of_kind("page") == []
