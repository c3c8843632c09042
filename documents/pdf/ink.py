"""Handwriting and fingerprints drawn into a PDF: strokes as vectors, the print as an image.

The handwriting is drawn from the pen's strokes as vector paths whose width follows the pen
pressure, so it is sharp at any zoom and adds a few kilobytes, not an image per signature.
Points of similar width are joined into one path with round joins and caps, which keeps the
number of PDF operators small (a signature of 2,000 samples becomes about 150 paths).

The same drawing serves the page (a paper-style agreement with the handwriting printed in)
and the appearance of a digital signature (see :func:`signature_appearance_pdf`).
"""

from __future__ import annotations

import io

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from documents.fingerprint import Fingerprint
from documents.signature import Signature, pen_width

INK = (18 / 255, 24 / 255, 64 / 255)  # blue-black, like a gel pen
_WIDTH_STEP = 0.15  # points: pen widths closer than this share a path
# A pad's pixels are finer than print: this makes a firm stroke about a 0.5 mm gel-pen line
# in a signature box 21 mm high.
_PRINT_WEIGHT = 1.6
#: Width of the fingerprint area at the right of a signature box, in points.
FINGERPRINT_AREA = 46.0


def draw_handwriting(c: Canvas, sig: Signature, x: float, y: float, w: float, h: float) -> None:
    """Draw the strokes into the box (x, y, w, h) in PDF points, keeping the pad's proportions."""
    k = min(w / sig.width, h / sig.height)
    ox = x + (w - sig.width * k) / 2
    oy = y + (h - sig.height * k) / 2 + sig.height * k  # pad y grows downwards
    c.saveState()
    c.setStrokeColorRGB(*INK)
    c.setFillColorRGB(*INK)
    c.setLineCap(1)
    c.setLineJoin(1)
    for stroke in sig.strokes:
        points = [
            (ox + p.x * k, oy - p.y * k, pen_width(sig, p.pressure) * k * _PRINT_WEIGHT)
            for p in stroke
        ]
        if len(points) == 1:
            px, py, width = points[0]
            c.circle(px, py, width / 2, stroke=0, fill=1)
            continue
        _draw_runs(c, points)
    c.restoreState()


def _draw_runs(c: Canvas, points: list[tuple[float, float, float]]) -> None:
    """Stroke consecutive segments of (nearly) equal width as one path each."""
    run_width = round(points[0][2] / _WIDTH_STEP) * _WIDTH_STEP
    path = c.beginPath()
    path.moveTo(points[0][0], points[0][1])
    for px, py, width in points[1:]:
        path.lineTo(px, py)
        quantised = round(width / _WIDTH_STEP) * _WIDTH_STEP
        if quantised != run_width:
            c.setLineWidth(max(run_width, 0.2))
            c.drawPath(path, stroke=1, fill=0)
            path = c.beginPath()
            path.moveTo(px, py)
            run_width = quantised
    c.setLineWidth(max(run_width, 0.2))
    c.drawPath(path, stroke=1, fill=0)


def draw_fingerprint(c: Canvas, fp: Fingerprint, x: float, y: float, w: float, h: float) -> None:
    """Draw the print as red ink, centred in the box, at its real size or smaller."""
    real_w, real_h = (v / 25.4 * 72 for v in fp.size_mm)
    k = min(1.0, w / real_w, h / real_h)
    dw, dh = real_w * k, real_h * k
    image = ImageReader(fp.ink_image())
    c.drawImage(image, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, mask="auto")


def draw_signature_box(
    c: Canvas,
    x: float,
    y: float,
    w: float,
    h: float,
    signature: Signature | None,
    fingerprint: Fingerprint | None,
) -> None:
    """Handwriting in the box, with the fingerprint (if any) pressed at its right end."""
    if fingerprint is not None:
        draw_fingerprint(c, fingerprint, x + w - FINGERPRINT_AREA, y, FINGERPRINT_AREA, h)
        w -= FINGERPRINT_AREA * 0.75  # the print overlaps the end of the name, as on paper
    if signature is not None:
        draw_handwriting(c, signature, x, y, w, h)


def signature_appearance_pdf(
    w: float, h: float, signature: Signature | None, fingerprint: Fingerprint | None
) -> bytes:
    """A one-page PDF of size w×h holding the signature box, for a digital signature's look."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(w, h), pageCompression=1)
    draw_signature_box(c, 0, 0, w, h, signature, fingerprint)
    c.showPage()
    c.save()
    return buffer.getvalue()
