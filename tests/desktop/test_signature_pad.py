"""The signature pad: strokes with time and pressure from mouse, pen and touch, bound to the
document on screen, and applied only to that document."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import (
    QEventPoint,
    QInputDevice,
    QMouseEvent,
    QPointingDevice,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QApplication

from desktop.application import make_application
from desktop.bridge import GuiBridge
from desktop.station.page_view_model import PageViewModel
from desktop.station.signature_pad import SignaturePad
from desktop.station.signature_pad_model import MOUSE_PRESSURE, SignaturePadModel
from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from documents.signature import Signature
from documents.signing.pades import (
    DemoPki,
    DocumentMismatchError,
    FieldSignature,
    sign_agreement,
    sign_field,
    verify_pdf,
)

SHA = "5e" * 32


@pytest.fixture
def pad(qtbot) -> SignaturePad:
    make_application()
    ticks = itertools.count()
    model = SignaturePadModel("suspect", clock=lambda: next(ticks) / 100)  # 10 ms a sample
    widget = SignaturePad(model)
    qtbot.addWidget(widget)
    widget.resize(640, 360)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def mouse(pad: SignaturePad, kind: QEvent.Type, x: float, y: float) -> None:
    rect = pad.pad_rect()
    point = QPointF(rect.left() + x * rect.width(), rect.top() + y * rect.height())
    buttons = (
        Qt.MouseButton.NoButton
        if kind == QEvent.Type.MouseButtonRelease
        else Qt.MouseButton.LeftButton
    )
    event = QMouseEvent(
        kind, point, pad.mapToGlobal(point), Qt.MouseButton.LeftButton, buttons,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(pad, event)


def draw_with_mouse(pad: SignaturePad, points: int = 20) -> None:
    mouse(pad, QEvent.Type.MouseButtonPress, 0.2, 0.5)
    for i in range(1, points):
        mouse(pad, QEvent.Type.MouseMove, 0.2 + 0.6 * i / points, 0.5 - 0.2 * (i % 2))
    mouse(pad, QEvent.Type.MouseButtonRelease, 0.8, 0.5)


def test_mouse_strokes_are_recorded_in_pad_pixels_with_time(pad: SignaturePad) -> None:
    draw_with_mouse(pad)
    [stroke] = pad.model.strokes
    assert len(stroke) == 20
    assert stroke[0].x == pytest.approx(120, abs=1.5) and stroke[0].y == pytest.approx(120, abs=1.5)
    assert [p.t for p in stroke[:3]] == [0.0, 0.01, 0.02]  # from the injected clock
    assert {p.pressure for p in stroke} == {MOUSE_PRESSURE}
    mouse(pad, QEvent.Type.MouseMove, 0.9, 0.9)  # pen up: moving draws nothing
    assert pad.model.point_count == 20


def test_pen_pressure_is_recorded(pad: SignaturePad) -> None:
    stylus = QPointingDevice(
        "stylus", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 2,
    )  # fmt: skip
    rect = pad.pad_rect()
    for kind, x, pressure in ((QEvent.Type.TabletPress, 0.3, 0.2),
                              (QEvent.Type.TabletMove, 0.5, 0.9),
                              (QEvent.Type.TabletRelease, 0.6, 0.0)):  # fmt: skip
        point = QPointF(rect.left() + x * rect.width(), rect.center().y())
        event = QTabletEvent(
            kind, stylus, point, pad.mapToGlobal(point), pressure, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
        )  # fmt: skip
        QApplication.sendEvent(pad, event)
    [stroke] = pad.model.strokes
    assert [p.pressure for p in stroke] == [0.2, 0.9]


def test_touch_draws_too(pad: SignaturePad) -> None:
    screen = QPointingDevice(
        "screen", 8, QInputDevice.DeviceType.TouchScreen, QPointingDevice.PointerType.Finger,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 5, 0,
    )  # fmt: skip
    rect = pad.pad_rect()
    for kind, state, x in ((QEvent.Type.TouchBegin, QEventPoint.State.Pressed, 0.3),
                           (QEvent.Type.TouchUpdate, QEventPoint.State.Updated, 0.4),
                           (QEvent.Type.TouchEnd, QEventPoint.State.Released, 0.5)):  # fmt: skip
        position = QPointF(rect.left() + x * rect.width(), rect.center().y())
        point = QEventPoint(1, state, position, pad.mapToGlobal(position))
        QApplication.sendEvent(pad, QTouchEvent(kind, screen, touchPoints=[point]))
    [stroke] = pad.model.strokes
    assert len(stroke) == 2 and stroke[0].pressure == MOUSE_PRESSURE  # screen without pressure
    assert stroke[0].x == pytest.approx(180, abs=1.5)  # 0.3 of the pad width


def test_the_ink_is_painted(pad: SignaturePad) -> None:
    def dark() -> int:
        image = pad.grab().toImage()
        rect = pad.pad_rect().toRect()
        return sum(
            1
            for x in range(rect.left() + 30, rect.right() - 30, 2)
            for y in range(rect.top() + 5, rect.bottom() - 5, 2)
            if image.pixelColor(x, y).lightness() < 100
        )

    blank = dark()
    draw_with_mouse(pad)
    assert dark() > blank + 50
    pad.clear_button.click()
    assert pad.model.point_count == 0 and dark() == blank


def test_confirm_needs_a_document_and_some_ink(pad: SignaturePad, qtbot) -> None:
    ready: list[dict] = []
    pad.model.signature_ready.connect(ready.append)
    draw_with_mouse(pad)
    with qtbot.waitSignal(pad.model.rejected) as rejected:  # no document on screen
        pad.confirm_button.click()
    assert rejected.args[0] and not ready
    pad.model.set_document(SHA)  # a new document: the pad starts empty
    with qtbot.waitSignal(pad.model.rejected):  # nothing drawn on it yet
        pad.confirm_button.click()
    assert not ready
    draw_with_mouse(pad)
    with qtbot.waitSignal(pad.model.signature_ready) as ready:
        pad.confirm_button.click()
    signature = Signature.from_json(ready.args[0])
    assert signature.role == "suspect" and signature.document_sha256 == SHA
    assert signature.point_count == 20 and (signature.width, signature.height) == (600, 240)


def test_a_new_document_clears_the_pad(pad: SignaturePad) -> None:
    pad.model.set_document(SHA)
    draw_with_mouse(pad)
    pad.model.set_document("77" * 32)
    assert pad.model.point_count == 0


def test_what_is_signed_is_what_was_shown(pad: SignaturePad, qtbot, tmp_path: Path) -> None:
    """The certified PDF goes on screen; the handwriting signs exactly those bytes."""
    pki = DemoPki.load_or_create(tmp_path / "pki")
    agreement = demo_agreement("案", "S-1", on=date(2026, 11, 22))
    certified = sign_agreement(render_agreement(agreement, {}), pki)
    pages = PageViewModel(GuiBridge(), run_in_thread=lambda work: work(), dpi=30)
    pages.document_shown.connect(pad.model.set_document)
    with qtbot.waitSignal(pages.document_shown, timeout=10_000):
        pages.show_pdf(certified)
    assert pad.model.document_sha256 == pages.sha256
    draw_with_mouse(pad)
    with qtbot.waitSignal(pad.model.signature_ready) as ready:
        pad.confirm_button.click()
    handwriting = Signature.from_json(ready.args[0])
    terminal = pki.issue("看守所远程签署终端", "看守所")
    request = FieldSignature("Suspect", terminal, agreement.suspect.name, "签名", handwriting)
    signed = sign_field(pages.pdf, request)
    assert all(c.ok for c in verify_pdf(signed, pki.trust_roots))
    # The same handwriting cannot be put on a document the suspect did not see.
    other = sign_agreement(
        render_agreement(demo_agreement("案", "S-2", on=date(2026, 11, 22)), {}), pki
    )
    with pytest.raises(DocumentMismatchError):
        sign_field(other, request)


def test_each_finished_stroke_is_handed_on_for_the_witness(pad: SignaturePad) -> None:
    finished: list[tuple[int, int, list]] = []
    pad.model.stroke_finished.connect(lambda w, h, points: finished.append((w, h, points)))
    draw_with_mouse(pad)
    mouse(pad, QEvent.Type.MouseButtonRelease, 0.8, 0.5)  # a release with no pen down: nothing
    [(width, height, points)] = finished
    assert (width, height) == pad.model.pad_size
    [stroke] = pad.model.strokes
    assert points == [[p.x, p.y, p.t, p.pressure] for p in stroke]
