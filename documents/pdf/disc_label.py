"""The label of a burned disc: an A4 sheet with the disc face and the record to sign.

Top half: a 118 mm disc face (cut out, or print on a printable disc) with the disc id, the copy
(A for the technical department, B for the case file), the case numbers and a QR code. Bottom
half: the table of bags on the disc with each manifest's SHA-256 — the integrity value
(完整性校验值) the participants confirm — and lines for their signatures.

The sheet's QR code holds ``PLEADESK-DISC/1;<disc id>;<copy>;<folder>=<manifest sha256>;...``
so a phone or scanner reads back exactly what the table says; if the disc holds so many bags
that the text would not fit, it holds ``ALL=<SHA-256 over those lines>`` instead. The small
code on the disc face always holds that short form. Text is set in the shipped Ming face,
embedded.

The label is drawn from :class:`DiscLabel`, what the disc holds as the clerk's disc plan says;
the archive's desk is given a writer that turns its plan into one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from documents.pdf.fonts import register_cjk_font

COPY_NAMES = {"A": "技术部门留存", "B": "随案卷归档"}
_QR_LIMIT = 1200
_DISC = 118 * mm
_HOLE = 22 * mm


@dataclass(frozen=True)
class LabelledBag:
    """A bag on the disc (or part ``part`` of ``of`` of a split bag), in folder ``folder``."""

    case_number: str
    bag_id: str
    folder: str
    part: int = 1
    of: int = 1


@dataclass(frozen=True)
class DiscLabel:
    """What a disc's label says: the disc, the plan it belongs to, its media (as named to
    people, e.g. ``BD-R 25 GB``) and its bags."""

    disc_id: str
    plan_id: str
    media: str
    bags: tuple[LabelledBag, ...]

    @property
    def case_numbers(self) -> tuple[str, ...]:
        """The cases on the disc, each once, in order."""
        return tuple(dict.fromkeys(bag.case_number for bag in self.bags))


def qr_text(disc_id: str, copy: str, manifests: Mapping[str, str], full: bool = True) -> str:
    """What a QR code says (see the module docstring); ``full=False`` gives the short form."""
    lines = [f"{folder}={digest}" for folder, digest in sorted(manifests.items())]
    text = ";".join(["PLEADESK-DISC/1", disc_id, copy, *lines])
    if len(text) > _QR_LIMIT or not full:
        joined = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        text = ";".join(["PLEADESK-DISC/1", disc_id, copy, f"ALL={joined}"])
    return text


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _disc_face(
    canvas: Canvas, font: str, disc: DiscLabel, copy: str, burned: datetime, qr: str
) -> None:
    width, height = A4
    cx, cy = width / 2, height - 20 * mm - _DISC / 2
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 3)
    canvas.circle(cx, cy, _DISC / 2)
    canvas.circle(cx, cy, _HOLE / 2)
    canvas.setDash()
    canvas.setFont(font, 15)
    canvas.drawCentredString(cx, cy + 45 * mm, f"证据光盘 {disc.disc_id}")
    canvas.setFont(font, 12)
    canvas.drawCentredString(cx, cy + 38 * mm, f"副本 {copy}（{COPY_NAMES[copy]}）")
    canvas.setFont(font, 10)
    for index, case in enumerate(disc.case_numbers[:3]):
        canvas.drawCentredString(cx, cy + (31 - 5 * index) * mm, case)
    if len(disc.case_numbers) > 3:
        canvas.drawCentredString(cx, cy + 16 * mm, f"共 {len(disc.case_numbers)} 案")
    canvas.drawCentredString(cx, cy - 17 * mm, f"刻录 {burned:%Y-%m-%d %H:%M}")
    _qr(canvas, qr, cx - 14 * mm, cy - 46 * mm, 28 * mm)


def _table(
    canvas: Canvas,
    font: str,
    disc: DiscLabel,
    manifests: Mapping[str, str],
    top: float,
) -> float:
    left = 20 * mm
    canvas.setFont(font, 11)
    canvas.drawString(left, top, f"光盘 {disc.disc_id}    介质 {disc.media}    计划 {disc.plan_id}")
    y = top - 8 * mm
    canvas.setFont(font, 9)
    canvas.drawString(left, y, "案号")
    canvas.drawString(left + 52 * mm, y, "证据包")
    canvas.drawString(left + 100 * mm, y, "清单 SHA-256（完整性校验值）")
    canvas.line(left, y - 2 * mm, A4[0] - left, y - 2 * mm)
    y -= 7 * mm
    for part in disc.bags:
        digest = manifests.get(part.folder, "")
        canvas.setFont(font, 9)
        canvas.drawString(left, y, part.case_number)
        suffix = f"（第 {part.part}/{part.of} 部分）" if part.of > 1 else ""
        canvas.drawString(left + 52 * mm, y, part.bag_id + suffix)
        canvas.setFont("Courier", 8)
        canvas.drawString(left + 100 * mm, y, digest[:32])
        canvas.drawString(left + 100 * mm, y - 3.5 * mm, digest[32:])
        y -= 10 * mm
        if y < 80 * mm:
            canvas.setFont(font, 9)
            canvas.drawString(left, y, "（其余证据包见光盘内 README.txt）")
            y -= 8 * mm
            break
    return y


def _signatures(canvas: Canvas, font: str, y: float, qr: str) -> None:
    left = 20 * mm
    canvas.setFont(font, 10)
    canvas.drawString(left, y, "以上完整性校验值经核对无误。")
    roles = ("刻录人（技术人员）", "检察官", "犯罪嫌疑人", "值班律师", "日期")
    for index, role in enumerate(roles):
        row = y - (index + 1) * 10 * mm
        canvas.drawString(left, row, f"{role}：")
        canvas.line(left + 34 * mm, row - 1 * mm, left + 100 * mm, row - 1 * mm)
    _qr(canvas, qr, A4[0] - 20 * mm - 46 * mm, y - 50 * mm, 46 * mm)


def write_disc_label(
    path: Path,
    disc: DiscLabel,
    copy: str,
    manifests: Mapping[str, str],
    burned: datetime,
) -> Path:
    """Write the label PDF of copy ``copy`` of ``disc`` to ``path`` (a new file); return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    font = register_cjk_font()
    partial = path.with_name(f".{path.name}.partial")
    canvas = Canvas(str(partial), pagesize=A4, invariant=True)
    canvas.setTitle(f"证据光盘标签 {disc.disc_id} 副本 {copy}")
    canvas.setAuthor("PleaDesk")
    short = qr_text(disc.disc_id, copy, manifests, full=False)
    _disc_face(canvas, font, disc, copy, burned, short)
    y = _table(canvas, font, disc, manifests, A4[1] - 20 * mm - _DISC - 14 * mm)
    _signatures(canvas, font, min(y - 4 * mm, 70 * mm), qr_text(disc.disc_id, copy, manifests))
    canvas.showPage()
    canvas.save()
    os.replace(partial, path)
    return path
