"""How digital signatures look on the page: handwriting, fingerprint, or a seal.

pyHanko's text stamps cannot use a TrueType CJK font, so every appearance is drawn with
reportlab (the same embedded font and the same handwriting drawing as the page) into a small
one-page PDF, which pyHanko imports as the signature widget's appearance.
"""

from __future__ import annotations

import binascii
import io
import uuid

from cryptography import x509
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle
from reportlab.pdfgen.canvas import Canvas

from documents.fingerprint import Fingerprint
from documents.pdf.fonts import register_cjk_font
from documents.pdf.ink import draw_signature_box
from documents.signature import Signature
from documents.signing.pki import common_name

_SEAL_RED = (0.62, 0.08, 0.08)


def stamp_style(pdf: bytes) -> StaticStampStyle:
    """A pyHanko stamp style showing the first page of ``pdf``, filling the field."""
    return StaticStampStyle(background=_PdfBytesPage(pdf), background_opacity=1.0, border_width=0)


def handwriting_pdf(
    size: tuple[float, float], signature: Signature | None, fingerprint: Fingerprint | None
) -> bytes:
    """The handwriting (and fingerprint) filling a field of ``size`` points."""
    w, h = size
    c = _canvas(w, h)
    draw_signature_box(c, 0, 0, w, h, signature, fingerprint)
    return _finish(c)


def name_stamp_pdf(size: tuple[float, float], name: str, caption: str) -> bytes:
    """A signer's name with a small caption, for a certificate signature without handwriting."""
    w, h = size
    c = _canvas(w, h)
    font = register_cjk_font()
    c.setFillColorRGB(0.07, 0.09, 0.25)
    c.setFont(font, 18)
    c.drawCentredString(w / 2, h * 0.45, name)
    c.setFont(font, 7.5)
    c.setFillGray(0.3)
    c.drawCentredString(w / 2, 4, caption)
    return _finish(c)


def seal_pdf(size: tuple[float, float], cert: x509.Certificate, caption: str) -> bytes:
    """The procuratorate's electronic seal: its name, what the signature is, the certificate."""
    w, h = size
    c = _canvas(w, h)
    font = register_cjk_font()
    c.setStrokeColorRGB(*_SEAL_RED)
    c.setLineWidth(1.2)
    c.roundRect(3, 3, w - 6, h - 6, 6, stroke=1, fill=0)
    c.setFillColorRGB(*_SEAL_RED)
    c.setFont(font, 12)
    c.drawCentredString(w / 2, h - 26, common_name(cert))
    c.setFont(font, 9)
    c.drawCentredString(w / 2, h - 44, caption)
    c.setFillGray(0.2)
    c.setFont(font, 7)
    c.drawCentredString(w / 2, 22, f"证书序列号：{cert.serial_number:X}"[:44])
    c.drawCentredString(w / 2, 11, "签名时间及有效性见文档签名属性")
    return _finish(c)


def _canvas(w: float, h: float) -> Canvas:
    # The CJK face as the page's initial font: reportlab's default, Helvetica, is never
    # embedded, and a PDF kept as evidence must not depend on the reader's fonts.
    return Canvas(io.BytesIO(), pagesize=(w, h), initialFontName=register_cjk_font())


def _finish(c: Canvas) -> bytes:
    c.showPage()
    return c.getpdfdata()


class _PdfBytesPage(content.PdfContent):
    """Import the first page of an in-memory PDF as a form XObject (pyHanko reads files)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"
