"""Flowables shared by the documents: signature lines, the seal area, a QR code.

Each signature area records a :class:`~documents.pdf.layout.FieldBox` while it is drawn, so the
signature field lands exactly on the box printed on the page.
"""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode import qrencoder
from reportlab.platypus import Flowable

from documents.fingerprint import Fingerprint
from documents.pdf.ink import draw_signature_box
from documents.pdf.layout import DocumentLayout
from documents.signature import Signature

#: Size of a handwritten signature box, and of one with room for a fingerprint, in points.
HANDWRITING_BOX = (170.0, 60.0)
FINGERPRINT_BOX = (220.0, 60.0)
SEAL_BOX = (200.0, 84.0)


class SignatureLine(Flowable):
    """'Label [signature box]   date' with a signature field over the box.

    ``handwriting`` and ``fingerprint``, if given, are printed into the box (a paper-style
    document); otherwise the box stays empty for the digital signature's appearance.
    """

    def __init__(
        self,
        layout: DocumentLayout,
        label: str,
        field: str,
        date_text: str,
        *,
        box: tuple[float, float] = HANDWRITING_BOX,
        handwriting: Signature | None = None,
        fingerprint: Fingerprint | None = None,
    ) -> None:
        super().__init__()
        self.layout, self.label, self.field, self.date_text = layout, label, field, date_text
        self.box_w, self.box_h = box
        self.handwriting, self.fingerprint = handwriting, fingerprint

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.box_h + 10

    def draw(self) -> None:
        c, lay = self.canv, self.layout
        lay.draw_text(c, 0, 10, self.label)
        label_width = lay.text_width(self.label, 11)
        date_width = lay.text_width(self.date_text, 11)
        x0 = label_width + 6
        # A long label and the date leave less room: the box gives way, not the text.
        box_w = min(self.box_w, self.width - x0 - date_width - 10)
        c.setLineWidth(0.6)
        c.line(x0, 6, x0 + box_w, 6)
        draw_signature_box(c, x0, 8, box_w, self.box_h, self.handwriting, self.fingerprint)
        lay.draw_text(c, self.width, 10, self.date_text, align="right")
        lay.record(c, self.field, x0, 6, box_w, self.box_h + 2)


class SealArea(Flowable):
    """Who acted for the procuratorate, and the box for its digital signature (电子签章)."""

    def __init__(self, layout: DocumentLayout, lines: list[str], caption: str, field: str) -> None:
        super().__init__()
        self.layout, self.lines, self.caption, self.field = layout, lines, caption, field

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, SEAL_BOX[1] + 22

    def draw(self) -> None:
        c, lay = self.canv, self.layout
        w, h = SEAL_BOX
        for i, line in enumerate(self.lines):
            lay.draw_text(c, 0, h - 14 - 20 * i, line)
        x0 = self.width - w
        c.saveState()
        c.setStrokeGray(0.55)
        c.setDash(3, 2)
        c.rect(x0, 18, w, h, stroke=1, fill=0)
        c.restoreState()
        c.setFillGray(0.35)
        lay.draw_text(c, x0 + w / 2, 5, self.caption, 9, "centre")
        self.layout.record(c, self.field, x0, 18, w, h)


class QrCode(Flowable):
    """A QR code of ``payload`` with a caption under it, at the right of the text column."""

    def __init__(self, layout: DocumentLayout, payload: str, caption: str, size: float = 92):
        super().__init__()
        self.layout, self.payload, self.caption, self.size = layout, payload, caption, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size + 14

    def draw(self) -> None:
        # Modules drawn straight onto the canvas: reportlab's graphics renderer would add an
        # (unembedded) Helvetica to the page for a drawing that has no text.
        qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        qr.addData(self.payload)
        qr.make()
        count, border = qr.getModuleCount(), 2
        cell = self.size / (count + 2 * border)
        x0, top = self.width - self.size, 12 + self.size
        c = self.canv
        c.saveState()
        c.setFillGray(0)
        for r, row in enumerate(qr.modules):
            col = 0
            for dark, run in itertools.groupby(bool(m) for m in row):
                length = len(list(run))
                if dark:
                    x = x0 + (col + border) * cell
                    y = top - (r + border + 1) * cell
                    c.rect(x, y, length * cell, cell * 1.02, stroke=0, fill=1)
                col += length
        c.restoreState()
        c.setFillGray(0.3)
        self.layout.draw_text(c, x0 + self.size / 2, 2, self.caption, 8, "centre")
