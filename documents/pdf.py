"""The plea agreement as an A4 Chinese PDF with signature blocks and empty signature fields.

Layout follows the customary 认罪认罚具结书: identity, rights, facts and charge, sentencing
recommendation, procedure, the voluntariness declaration, then the suspect's signature, the duty
lawyer's witness statement and signature, and the area for the procuratorate's digital
signature. Text is set in the shipped Ming face, embedded as a subset, so the document reads
the same on every machine and in twenty years.

All signature fields (procuratorate, suspect, lawyer) are created here, before anyone signs:
adding a field after the procuratorate's certification signature would count as a change to a
certified document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from documents.agreement import PleaAgreement, chinese_date
from documents.fonts import register_cjk_font
from documents.signature import Signature, render_image

FIELD_PROCURATORATE = "Procuratorate"
FIELD_SUSPECT = "Suspect"
FIELD_LAWYER = "Lawyer"
#: Roles whose handwritten signatures the agreement shows.
HANDWRITTEN_ROLES = ("suspect", "lawyer")

_MARGIN = 25 * mm
_SIGNATURE_DPI = 400  # handwriting is drawn as an image; this keeps its edges smooth in print


class AgreementRenderError(ValueError):
    """The agreement cannot be rendered with the signatures given."""


@dataclass(frozen=True)
class _FieldBox:
    """Where a signature field goes: page index and rectangle in PDF points."""

    name: str
    page: int
    box: tuple[int, int, int, int]


def render_agreement(agreement: PleaAgreement, signatures: Mapping[str, Signature]) -> bytes:
    """Render the agreement to PDF bytes, drawing the handwritten signatures given.

    ``signatures`` maps a role ("suspect", "lawyer") to that party's handwritten signature;
    a missing role leaves its signature line blank (the draft shown before signing). The PDF
    carries empty signature fields "Procuratorate", "Suspect" and "Lawyer".
    """
    for role, signature in signatures.items():
        if role not in HANDWRITTEN_ROLES or signature.role != role:
            raise AgreementRenderError(
                f"A signature for role {role!r} (signed as {signature.role!r}) does not belong "
                f"on the agreement; only {', '.join(HANDWRITTEN_ROLES)} sign it by hand."
            )
    font = register_cjk_font()
    styles = _styles(font)
    boxes: list[_FieldBox] = []
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title="认罪认罚具结书",
        author=agreement.procuratorate,
        subject=agreement.case_number,
        creator="PleaDesk",
        lang="zh-CN",
    )
    story = _body(agreement, styles) + _signature_blocks(agreement, signatures, styles, boxes)
    doc.build(story, canvasmaker=_footer_canvas(font, agreement.case_number))
    return _add_signature_fields(buffer.getvalue(), boxes)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=font, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontSize=22,
            leading=30,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=6,
        ),
        "meta": ParagraphStyle(
            "meta", parent=body, fontSize=10.5, leading=16, alignment=TA_RIGHT, firstLineIndent=0
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontSize=14,
            leading=22,
            firstLineIndent=0,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "body": body,
        "label": ParagraphStyle("label", parent=body, firstLineIndent=0),
    }


def _paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    """One paragraph per line of ``text``, broken by the Chinese rules."""
    return [_para(line, style) for line in text.splitlines() if line.strip()]


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph whose lines are broken here, by the Chinese rules, before reportlab sees it.

    reportlab's CJK wrapping knows the Japanese no-break rules but not the Chinese full-width
    comma, semicolon, colon, question and exclamation marks or closing book-title marks, so it
    would start lines with "，" or end them with "《". Explicit breaks keep its line layout.
    """
    # The frame's 6 pt paddings on each side, and 1 pt slack against rounding.
    width = A4[0] - 2 * _MARGIN - 12 - 1
    first = width - style.firstLineIndent
    lines = _break_lines(text.strip(), style.fontName, style.fontSize, first, width)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


# Chinese line-breaking rules (GB/T 15834, W3C clreq): these never start a line ...
_NO_LINE_START = frozenset("，。、；：？！）】》〉」』”’…—％,.;:?!)]%")
# ... and these never end one.
_NO_LINE_END = frozenset("（【《〈「『“‘([")
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,/%+\-]*|.", re.DOTALL)


def _break_lines(text: str, font: str, size: float, first: float, width: float) -> list[str]:
    """Greedy line breaking that keeps numbers and Latin words whole and obeys 避头尾."""
    units: list[str] = []
    glue_next = False
    for atom in _LATIN_RUN.findall(text):
        if units and (atom[0] in _NO_LINE_START or glue_next):
            units[-1] += atom
        else:
            units.append(atom)
        glue_next = atom[-1] in _NO_LINE_END
    lines, current, limit = [], "", first
    for unit in units:
        if current and stringWidth(current + unit, font, size) > limit:
            lines.append(current)
            current, limit = "", width
        current += unit
    return [*lines, current] if current else lines


def _body(a: PleaAgreement, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    s, body = a.suspect, st["body"]
    identity = (
        f"本人姓名{s.name}，性别{s.gender.label}，{chinese_date(s.date_of_birth)}出生，"
        f"公民身份号码{s.id_number}，{s.ethnicity}，{s.education}文化，住{s.address}。"
    )
    if s.detained:
        identity += f"现羁押于{s.detention_place}。"
    story: list[Flowable] = [
        Paragraph("认罪认罚具结书", st["title"]),
        Paragraph(escape(f"{a.procuratorate}　案号：{a.case_number}"), st["meta"]),
        Paragraph(escape(f"同步录音录像编号：{a.session_id}"), st["meta"]),
        Paragraph("一、犯罪嫌疑人身份信息", st["heading"]),
        _para(identity, body),
        Paragraph("二、权利知悉", st["heading"]),
        _para(
            "本人已阅读《认罪认罚从宽制度告知书》，人民检察院已告知本人享有的诉讼权利和认罪认罚"
            "的有关法律规定，本人理解并接受其全部内容，本人自愿适用认罪认罚从宽制度。",
            body,
        ),
        Paragraph("三、犯罪事实及罪名", st["heading"]),
        _para(f"本人知悉并认可{a.procuratorate}指控的如下犯罪事实：", body),
        *_paragraphs(a.facts, body),
        _para(f"本人承认上述行为构成{a.charges_text}，自愿认罪。", body),
        Paragraph("四、量刑建议", st["heading"]),
        _para(
            f"本人知悉并认可{a.procuratorate}提出的对本人判处{a.recommendation.text()}的量刑建议。",
            body,
        ),
        Paragraph("五、程序适用", st["heading"]),
        _para(f"本人同意本案适用{a.procedure.label}审理。", body),
    ]
    return story


def _signature_blocks(
    a: PleaAgreement,
    signatures: Mapping[str, Signature],
    st: dict[str, ParagraphStyle],
    boxes: list[_FieldBox],
) -> list[Flowable]:
    name = a.suspect.name
    witness = (
        f"本人是犯罪嫌疑人{name}的值班律师。本人证明，犯罪嫌疑人{name}已经阅读了"
        "《认罪认罚从宽制度告知书》及本《认罪认罚具结书》，根据本人所掌握和知晓的情况，"
        f"犯罪嫌疑人{name}系自愿签署本《认罪认罚具结书》。"
    )
    when = chinese_date(a.date)
    suspect = _SignatureLine(
        "犯罪嫌疑人签名：", signatures.get("suspect"), when, FIELD_SUSPECT, boxes
    )
    lawyer = _SignatureLine("值班律师签名：", signatures.get("lawyer"), when, FIELD_LAWYER, boxes)
    # One block, so the signatures share a page with the declaration they confirm: a page
    # holding nothing but signatures could be put behind a different text.
    block = [
        Paragraph("六、自愿签署声明", st["heading"]),
        *_paragraphs(a.declaration.statement, st["body"]),
        Spacer(1, 8),
        suspect,
        Spacer(1, 6),
        Paragraph("值班律师见证", st["heading"]),
        _para(witness, st["body"]),
        lawyer,
        Paragraph(
            escape(f"律师事务所：{a.lawyer.law_firm}　值班律师：{a.lawyer.name}"), st["label"]
        ),
        Spacer(1, 10),
        Paragraph("人民检察院", st["heading"]),
        _ProcuratorateArea(a.procuratorate, a.prosecutor, when, boxes),
    ]
    return [KeepTogether(block)]


class _SignatureLine(Flowable):
    """'Label: [handwriting]  date' with the field rectangle recorded for a signature field."""

    _BOX_W, _BOX_H = 170.0, 64.0

    def __init__(
        self,
        label: str,
        signature: Signature | None,
        date_text: str,
        field: str,
        boxes: list[_FieldBox],
    ) -> None:
        super().__init__()
        self.label, self.signature, self.date_text = label, signature, date_text
        self.field, self.boxes = field, boxes
        self.font = register_cjk_font()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self._BOX_H + 8

    def draw(self) -> None:
        c = self.canv
        c.setFont(self.font, 12)
        c.drawString(0, 10, self.label)
        x0 = c.stringWidth(self.label, self.font, 12) + 6
        c.setLineWidth(0.6)
        c.line(x0, 6, x0 + self._BOX_W, 6)
        if self.signature is not None:
            _draw_handwriting(c, self.signature, x0, 8, self._BOX_W, self._BOX_H)
            date = f"日期：{self.date_text}"
        else:
            date = "日期：　　　　年　　月　　日"  # left blank to be filled in by hand
        c.drawRightString(self.width, 10, date)
        _record(c, self.boxes, self.field, x0, 6, self._BOX_W, self._BOX_H + 2)


class _ProcuratorateArea(Flowable):
    """The prosecutor's name and the box where the procuratorate's digital signature appears."""

    _BOX_W, _BOX_H = 200.0, 84.0

    def __init__(self, procuratorate: str, prosecutor: str, date_text: str, boxes: list) -> None:
        super().__init__()
        self.procuratorate, self.prosecutor, self.date_text = procuratorate, prosecutor, date_text
        self.boxes = boxes
        self.font = register_cjk_font()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self._BOX_H + 22

    def draw(self) -> None:
        c = self.canv
        c.setFont(self.font, 12)
        c.drawString(0, self._BOX_H - 14, f"承办检察官：{self.prosecutor}")
        c.drawString(0, self._BOX_H - 36, f"日期：{self.date_text}")
        x0 = self.width - self._BOX_W
        c.setStrokeGray(0.55)
        c.setDash(3, 2)
        c.rect(x0, 18, self._BOX_W, self._BOX_H, stroke=1, fill=0)
        c.setDash()
        c.setFont(self.font, 9)
        c.setFillGray(0.35)
        c.drawCentredString(x0 + self._BOX_W / 2, 5, f"{self.procuratorate}（电子签名）")
        _record(c, self.boxes, FIELD_PROCURATORATE, x0, 18, self._BOX_W, self._BOX_H)


def _draw_handwriting(c: Canvas, sig: Signature, x: float, y: float, w: float, h: float) -> None:
    """Draw the signature image into the box, keeping the pad's proportions."""
    k = min(w / sig.width, h / sig.height)
    scale = w / 72 * _SIGNATURE_DPI / sig.width
    image = ImageReader(render_image(sig, scale=min(scale, 8.0)))
    dw, dh = sig.width * k, sig.height * k
    c.drawImage(image, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, mask="auto")


def _record(
    c: Canvas, boxes: list[_FieldBox], name: str, x: float, y: float, w: float, h: float
) -> None:
    """Remember where a field goes, in page coordinates, while the flowable is drawn."""
    ax, ay = c.absolutePosition(x, y)
    box = (round(ax), round(ay), round(ax + w), round(ay + h))
    boxes.append(_FieldBox(name, c.getPageNumber() - 1, box))


def _footer_canvas(font: str, case_number: str) -> Callable[..., Canvas]:
    """A canvas class that writes 'case number, page x / y' once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            # reportlab starts every page in Helvetica, which it never embeds.
            kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 9)
                self.setFillGray(0.3)
                width = A4[0]
                self.drawString(_MARGIN, 14 * mm, f"案号：{case_number}")
                self.drawRightString(
                    width - _MARGIN, 14 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页"
                )
                super().showPage()
            super().save()

    return FooterCanvas


def _add_signature_fields(pdf: bytes, boxes: list[_FieldBox]) -> bytes:
    """Rewrite the PDF with one empty signature field per recorded box."""
    names = [b.name for b in boxes]
    if sorted(names) != sorted({FIELD_PROCURATORATE, FIELD_SUSPECT, FIELD_LAWYER}):
        raise RuntimeError(f"signature areas were laid out {names}; expected each once")
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    for b in boxes:
        append_signature_field(writer, SigFieldSpec(b.name, on_page=b.page, box=b.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
