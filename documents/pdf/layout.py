"""What every PleaDesk document shares: A4 page, styles, Chinese paragraphs, footer, fields.

A document is built as a reportlab story of flowables and turned into PDF bytes by
:meth:`DocumentLayout.build`, which adds the footer (case number, document id, page x / y) once
the page count is known and then one empty signature field per signature area laid out.

All signature fields are created here, before anyone signs: adding a field after the
procuratorate's certification signature would count as a change to a certified document.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from documents.chinese import break_lines
from documents.pdf.fonts import register_cjk_font, register_latin_font

MARGIN = 25 * mm
#: Width available to text: the frame's 6 pt paddings each side and 1 pt against rounding.
TEXT_WIDTH = A4[0] - 2 * MARGIN - 12 - 1


@dataclass(frozen=True)
class FieldBox:
    """Where a signature field goes: page index and rectangle in PDF points."""

    name: str
    page: int
    box: tuple[int, int, int, int]

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in points."""
        return self.box[2] - self.box[0], self.box[3] - self.box[1]


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF says about itself and what the footer of every page shows."""

    title: str
    author: str
    case_number: str
    document_id: str
    english: bool = False


class DocumentLayout:
    """Builds one document: styles, paragraphs broken by the Chinese rules, fields, footer."""

    def __init__(self, info: DocumentInfo) -> None:
        self.info = info
        self.font = register_cjk_font()
        self.latin = register_latin_font() if info.english else self.font
        self.boxes: list[FieldBox] = []
        self.styles = _styles(self.latin if info.english else self.font, info.english)

    def para(self, text: str, style: str = "body", width: float = TEXT_WIDTH) -> Paragraph:
        """One paragraph of plain text (markup is printed literally), ``width`` points wide."""
        st = self.styles[style]
        if self.info.english:
            return Paragraph(self.mixed(text), st)
        # reportlab's CJK wrapping knows the Japanese no-break rules but not all Chinese ones
        # (it would start lines with "，" or end them with "《"); break here, explicitly.
        first = width - st.firstLineIndent - st.leftIndent
        width = width - st.leftIndent
        lines = break_lines(text.strip(), st.fontName, st.fontSize, first, width)
        return Paragraph("<br/>".join(escape(line) for line in lines), st)

    def paras(self, text: str, style: str = "body") -> list[Flowable]:
        """One paragraph per non-empty line of ``text``."""
        return [self.para(line, style) for line in text.splitlines() if line.strip()]

    def mixed(self, text: str) -> str:
        """Escape ``text`` for a Latin paragraph, setting runs of CJK characters in the CJK font."""
        out, run = [], []
        for ch in text:
            if ord(ch) >= 0x2E80:
                run.append(ch)
                continue
            if run:
                out.append(f'<font name="{self.font}">{escape("".join(run))}</font>')
                run = []
            out.append(escape(ch))
        if run:
            out.append(f'<font name="{self.font}">{escape("".join(run))}</font>')
        return "".join(out)

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` split into (font, run) pairs: CJK characters in the CJK face."""
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.font if ord(ch) >= 0x2E80 else self.latin
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def text_width(self, text: str, size: float) -> float:
        """Width of ``text`` in points as :meth:`draw_text` sets it."""
        return sum(stringWidth(run, font, size) for font, run in self.runs(text))

    def draw_text(
        self, c: Canvas, x: float, y: float, text: str, size: float = 11, align: str = "left"
    ) -> None:
        """Draw one line of text on a canvas, Latin and CJK each in their face."""
        width = self.text_width(text, size)
        x -= {"left": 0.0, "right": width, "centre": width / 2}[align]
        for font, run in self.runs(text):
            c.setFont(font, size)
            c.drawString(x, y, run)
            x += stringWidth(run, font, size)

    def record(self, c: Canvas, name: str, x: float, y: float, w: float, h: float) -> None:
        """Remember where field ``name`` goes, in page coordinates, while a flowable draws."""
        ax, ay = c.absolutePosition(x, y)
        box = (round(ax), round(ay), round(ax + w), round(ay + h))
        self.boxes.append(FieldBox(name, c.getPageNumber() - 1, box))

    def build(self, story: Sequence[Flowable], fields: Sequence[str]) -> bytes:
        """Lay out ``story`` on A4 pages; return the PDF with empty fields named ``fields``."""
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=self.info.title,
            author=self.info.author,
            subject=f"{self.info.case_number} {self.info.document_id}",
            creator="PleaDesk",
            lang="en" if self.info.english else "zh-CN",
        )
        doc.build(list(story), canvasmaker=_footer_canvas(self))
        return _add_signature_fields(buffer.getvalue(), self.boxes, fields)

    def footer(self, page: int, total: int) -> tuple[str, str]:
        """Left and right footer texts of page ``page`` of ``total``."""
        i = self.info
        if i.english:
            return f"Case {i.case_number} · {i.document_id}", f"Page {page} of {total}"
        return f"案号：{i.case_number}　文书编号：{i.document_id}", f"第 {page} 页 / 共 {total} 页"


def _styles(font: str, english: bool) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=11 if english else 12,
        leading=16 if english else 21,
        wordWrap=None if english else "CJK",
        firstLineIndent=0 if english else 24,
        spaceAfter=4 if english else 0,
    )
    plain = {"firstLineIndent": 0, "spaceAfter": 0}
    return {
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontSize=20,
            leading=30,
            alignment=TA_CENTER,
            spaceAfter=6,
            firstLineIndent=0,
        ),
        "meta": ParagraphStyle(
            "meta", parent=body, fontSize=10.5, leading=16, alignment=TA_RIGHT, **plain
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontSize=13 if english else 14,
            leading=22,
            spaceBefore=10,
            spaceAfter=4,
            firstLineIndent=0,
            keepWithNext=1,  # never the last line of a page
        ),
        "subheading": ParagraphStyle("subheading", parent=body, keepWithNext=1, **plain),
        "body": body,
        "label": ParagraphStyle("label", parent=body, **plain),
        "item": ParagraphStyle("item", parent=body, leftIndent=24, **plain),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=9, leading=13, textColor="#404040", **plain
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13, **plain),
        "hash": ParagraphStyle(
            "hash", parent=body, fontSize=8.5, leading=11, wordWrap="CJK", **plain
        ),
    }


def _footer_canvas(layout: DocumentLayout) -> Callable[..., Canvas]:
    """A canvas class that writes the footer once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            # reportlab starts every page in Helvetica, which it never embeds.
            kwargs["initialFontName"] = layout.font
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                left, right = layout.footer(self._pageNumber, total)
                self.setFillGray(0.3)
                self.setStrokeGray(0.6)
                self.setLineWidth(0.4)
                self.line(MARGIN, 18 * mm, A4[0] - MARGIN, 18 * mm)
                layout.draw_text(self, MARGIN, 14 * mm, left, 8.5)
                layout.draw_text(self, A4[0] - MARGIN, 14 * mm, right, 8.5, "right")
                super().showPage()
            super().save()

    return FooterCanvas


def _add_signature_fields(pdf: bytes, boxes: list[FieldBox], fields: Sequence[str]) -> bytes:
    """Rewrite the PDF with one empty signature field per recorded box."""
    names = [b.name for b in boxes]
    if sorted(names) != sorted(fields):
        raise RuntimeError(f"signature areas were laid out {names}; expected {list(fields)}")
    if not boxes:
        return pdf
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf)))
    for b in boxes:
        append_signature_field(writer, SigFieldSpec(b.name, on_page=b.page, box=b.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
