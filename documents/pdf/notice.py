"""The rights notice as an A4 PDF, in Chinese or as its English rendering.

The suspect acknowledges the notice by signing (with a fingerprint); the prosecutor who gave
it signs as 告知人; the procuratorate certifies it like the agreement.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from documents.agreement import Literacy
from documents.chinese import chinese_date
from documents.notice import ITEMS_EN, ITEMS_ZH, RightsNotice
from documents.pdf.agreement import (
    FIELD_INTERPRETER,
    FIELD_PROCURATORATE,
    FIELD_PROSECUTOR,
    FIELD_SUSPECT,
)
from documents.pdf.blocks import FINGERPRINT_BOX, SealArea, SignatureLine
from documents.pdf.layout import DocumentInfo, DocumentLayout

_CHINESE_NUMBERS = "一二三四五六七八九十"


def notice_fields(notice: RightsNotice) -> list[str]:
    """The signature fields of the notice PDF, in the order they are signed."""
    middle = [FIELD_INTERPRETER] if notice.interpreter else []
    return [FIELD_PROCURATORATE, FIELD_SUSPECT, *middle, FIELD_PROSECUTOR]


def render_notice(notice: RightsNotice, *, english: bool = False) -> bytes:
    """Render the notice (Chinese, or the English rendering) with empty signature fields."""
    title = "Notice of the Plea Leniency System" if english else "认罪认罚从宽制度告知书"
    layout = DocumentLayout(
        DocumentInfo(
            title=title,
            author=notice.procuratorate,
            case_number=notice.case_number,
            document_id=notice.document_id + ("-EN" if english else ""),
            english=english,
        )
    )
    story = _english(notice, layout) if english else _chinese(notice, layout)
    return layout.build(story, notice_fields(notice))


def _chinese(n: RightsNotice, lay: DocumentLayout) -> list[Flowable]:
    how = {
        Literacy.READS_CHINESE: "本人已阅读",
        Literacy.READ_ALOUD: "检察人员已向本人宣读",
        Literacy.INTERPRETED: f"翻译人员{n.interpreter}已向本人翻译",
    }[n.delivery]
    when = f"日期：{chinese_date(n.date)}"
    story: list[Flowable] = [
        Paragraph("认罪认罚从宽制度告知书", lay.styles["title"]),
        lay.para(f"{n.procuratorate}　案号：{n.case_number}", "meta"),
        lay.para(f"犯罪嫌疑人：{n.suspect_name}　涉嫌罪名：{'、'.join(n.charges)}", "label"),
        Spacer(1, 6),
        lay.para(
            "根据《中华人民共和国刑事诉讼法》第十五条、第三十六条、第一百七十三条、第一百七十四条、"
            "第一百七十六条、第二百零一条、第二百二十二条的规定，现将认罪认罚从宽制度的有关事项告知如下："
        ),
    ]
    for i, item in enumerate(ITEMS_ZH):
        story.append(lay.para(f"{_CHINESE_NUMBERS[i]}、{item}"))
    signing: list[Flowable] = [
        lay.para("犯罪嫌疑人确认", "heading"),
        lay.para(f"以上告知内容{how}，本人已知悉并理解，于{chinese_date(n.date)}收到本告知书。"),
        Spacer(1, 4),
        SignatureLine(
            lay, "犯罪嫌疑人（签名、捺指印）：", FIELD_SUSPECT, when, box=FINGERPRINT_BOX
        ),
    ]
    if n.interpreter:
        signing.append(SignatureLine(lay, f"翻译人员：{n.interpreter}", FIELD_INTERPRETER, when))
    signing += [
        SignatureLine(lay, f"告知人（承办检察官）：{n.prosecutor}", FIELD_PROSECUTOR, when),
        SealArea(
            lay, [n.procuratorate, when], f"{n.procuratorate}（电子签章）", FIELD_PROCURATORATE
        ),
    ]
    return [*story, KeepTogether(signing)]


def _english(n: RightsNotice, lay: DocumentLayout) -> list[Flowable]:
    when = f"Date: {n.date.isoformat()}"
    story: list[Flowable] = [
        Paragraph("Notice of the Plea Leniency System", lay.styles["title"]),
        lay.para("认罪认罚从宽制度告知书 — English rendering", "meta"),
        lay.para(f"{n.procuratorate} · Case {n.case_number}", "meta"),
        lay.para(
            f"This is an English rendering of the Chinese notice {n.document_id}, given to "
            f"{n.suspect_name} (charge: {'、'.join(n.charges)}). The Chinese notice is the "
            "original; where they differ, the Chinese text governs.",
            "note",
        ),
        Spacer(1, 6),
        lay.para(
            "Under articles 15, 36, 173, 174, 176, 201 and 222 of the Criminal Procedure Law of "
            "the People's Republic of China, you are informed of the plea leniency system:"
        ),
    ]
    story += [lay.para(f"{i}. {item}") for i, item in enumerate(ITEMS_EN, start=1)]
    interpreter = f" by the interpreter {n.interpreter}" if n.interpreter else ""
    signing: list[Flowable] = [
        lay.para("Acknowledgement by the suspect", "heading"),
        lay.para(
            f"The notice above was translated to me{interpreter}. I have understood it and "
            f"received it on {n.date.isoformat()}."
        ),
        SignatureLine(
            lay, "Suspect (signature, fingerprint):", FIELD_SUSPECT, when, box=FINGERPRINT_BOX
        ),
    ]
    if n.interpreter:
        signing.append(SignatureLine(lay, "Interpreter:", FIELD_INTERPRETER, when))
    signing += [
        SignatureLine(lay, "Notified by (prosecutor):", FIELD_PROSECUTOR, when),
        SealArea(lay, [f"Prosecutor: {n.prosecutor}", when], n.procuratorate, FIELD_PROCURATORATE),
    ]
    return [*story, KeepTogether(signing)]
