"""The plea agreement (认罪认罚具结书) as an A4 Chinese PDF with empty signature fields.

Layout follows the customary 具结书 (SPP Rules art. 272, the 2019 Guiding Opinions): identity,
the rights notice acknowledged, facts, charge and law, the sentencing recommendation, the
procedure, the voluntariness declaration with the suspect's signature and fingerprint, the
lawyer's witness statement and signature, and the procuratorate's part. Text is set in the
shipped Ming face, embedded as a subset, so it reads the same everywhere and in twenty years.

Two ways to use it:

* ``render_agreement(agreement, {})`` makes the document that is certified, shown to the
  suspect and the lawyer, and then signed field by field (:mod:`documents.signing.pades`): the
  handwriting becomes each digital signature's appearance.
* Passing handwriting (and a fingerprint) prints them into the page instead, for a paper
  copy or where no digital signatures are used.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from documents.agreement import Literacy, PleaAgreement
from documents.chinese import chinese_date
from documents.fingerprint import Fingerprint
from documents.pdf.blocks import FINGERPRINT_BOX, SealArea, SignatureLine
from documents.pdf.layout import DocumentInfo, DocumentLayout
from documents.signature import Signature

FIELD_PROCURATORATE = "Procuratorate"
FIELD_SUSPECT = "Suspect"
FIELD_LAWYER = "Lawyer"
FIELD_PROSECUTOR = "Prosecutor"
FIELD_INTERPRETER = "Interpreter"
FIELD_GUARDIAN = "Guardian"
#: Roles whose handwritten signatures the agreement can show.
HANDWRITTEN_ROLES = ("suspect", "lawyer", "interpreter", "guardian")


class AgreementRenderError(ValueError):
    """The agreement cannot be rendered with the signatures given."""


def agreement_fields(agreement: PleaAgreement) -> list[str]:
    """The signature fields of the agreement PDF, in the order they are signed."""
    fields = [FIELD_PROCURATORATE, FIELD_SUSPECT]
    if agreement.guardian is not None:
        fields.append(FIELD_GUARDIAN)
    if agreement.interpreter is not None:
        fields.append(FIELD_INTERPRETER)
    return [*fields, FIELD_LAWYER, FIELD_PROSECUTOR]


def render_agreement(
    agreement: PleaAgreement,
    signatures: Mapping[str, Signature],
    fingerprint: Fingerprint | None = None,
) -> bytes:
    """Render the agreement to PDF bytes with empty signature fields.

    ``signatures`` maps a role (suspect, lawyer, interpreter, guardian) to handwriting to print
    into the page; leave it empty for the document that is signed digitally. The PDF carries
    the fields of :func:`agreement_fields`.
    """
    for role, signature in signatures.items():
        if role not in HANDWRITTEN_ROLES or signature.role != role:
            raise AgreementRenderError(
                f"A signature for role {role!r} (signed as {signature.role!r}) does not belong "
                f"on the agreement; only {', '.join(HANDWRITTEN_ROLES)} sign it by hand."
            )
    if fingerprint is not None and fingerprint.role != "suspect":
        raise AgreementRenderError("Only the suspect's fingerprint goes on the agreement.")
    layout = DocumentLayout(
        DocumentInfo(
            title="认罪认罚具结书",
            author=agreement.procuratorate,
            case_number=agreement.case_number,
            document_id=agreement.document_id,
        )
    )
    story = _body(agreement, layout) + _signing(agreement, layout, signatures, fingerprint)
    return layout.build(story, agreement_fields(agreement))


def _body(a: PleaAgreement, lay: DocumentLayout) -> list[Flowable]:
    s = a.suspect
    id_label = "外国人永久居留身份证号码" if s.id_number.startswith("9") else "公民身份号码"
    identity = (
        f"姓名{s.name}，性别{s.gender.label}，{chinese_date(s.date_of_birth)}出生，"
        f"{id_label}{s.id_number}，{s.ethnicity}，{s.education}文化，住{s.address}。"
    )
    if s.detained:
        identity += f"现羁押于{s.detention_place}。"
    if a.interpreter is not None:
        identity += f"本人使用{a.interpreter.language}，由翻译人员{a.interpreter.name}翻译。"
    if a.guardian is not None:
        identity += f"法定代理人{a.guardian.name}（{a.guardian.relation}）在场。"
    how = {
        Literacy.READS_CHINESE: "阅读",
        Literacy.READ_ALOUD: "听取检察人员宣读",
        Literacy.INTERPRETED: "听取翻译人员翻译",
    }[s.literacy]
    law = f"，适用{'、'.join(a.provisions)}的规定" if a.provisions else ""
    notice_day = chinese_date(a.rights_notice_date or a.date)
    return [
        Paragraph("认罪认罚具结书", lay.styles["title"]),
        lay.para(f"{a.procuratorate}　案号：{a.case_number}", "meta"),
        lay.para(f"同步录音录像编号：{a.session_id}", "meta"),
        lay.para("一、犯罪嫌疑人身份信息", "heading"),
        lay.para(identity),
        lay.para("二、权利知悉", "heading"),
        lay.para(
            f"本人已于{notice_day}{how}《认罪认罚从宽制度告知书》，"
            "人民检察院已告知本人享有的诉讼权利和认罪认罚的有关法律规定，本人理解并接受其全部内容，"
            "本人自愿适用认罪认罚从宽制度，同意签署本具结书。"
        ),
        lay.para("三、认罪认罚内容", "heading"),
        lay.para("（一）犯罪事实及罪名", "subheading"),
        lay.para(f"本人知悉并认可{a.procuratorate}指控的如下犯罪事实："),
        *lay.paras(a.facts),
        lay.para(f"本人承认上述行为构成{a.charges_text}{law}，自愿认罪。"),
        lay.para("（二）量刑建议", "subheading"),
        lay.para(
            f"本人知悉并同意{a.procuratorate}提出的对本人判处{a.recommendation.text()}的量刑建议。"
        ),
        lay.para("（三）程序适用", "subheading"),
        lay.para(f"本人同意本案适用{a.procedure.label}审理。"),
    ]


def _signing(
    a: PleaAgreement,
    lay: DocumentLayout,
    signatures: Mapping[str, Signature],
    fingerprint: Fingerprint | None,
) -> list[Flowable]:
    when = f"日期：{chinese_date(a.date)}"
    role = a.lawyer.role.label
    name = a.suspect.name.split("（")[0]
    witness = (
        f"本人是犯罪嫌疑人{name}的{role}。本人证明，犯罪嫌疑人{name}已经阅读（或听取宣读、翻译）了"
        "《认罪认罚从宽制度告知书》及本《认罪认罚具结书》，本人已向其提供法律咨询和帮助；"
        f"根据本人所掌握和知晓的情况，犯罪嫌疑人{name}系自愿签署本《认罪认罚具结书》。"
    )
    suspect = SignatureLine(
        lay,
        "犯罪嫌疑人（签名、捺指印）：",
        FIELD_SUSPECT,
        when,
        box=FINGERPRINT_BOX,
        handwriting=signatures.get("suspect"),
        fingerprint=fingerprint,
    )
    present: list[Flowable] = []
    if a.guardian is not None:
        present.append(
            SignatureLine(
                lay,
                "法定代理人（签名）：",
                FIELD_GUARDIAN,
                when,
                handwriting=signatures.get("guardian"),
            )
        )
    if a.interpreter is not None:
        present.append(
            SignatureLine(
                lay,
                f"翻译人员（{a.interpreter.language}）：",
                FIELD_INTERPRETER,
                when,
                handwriting=signatures.get("interpreter"),
            )
        )
    licence = f"　执业证号：{a.lawyer.licence_number}" if a.lawyer.licence_number else ""
    # One block, so the signatures share a page with the declaration they confirm: a page
    # holding nothing but signatures could be put behind a different text.
    parties: list[Flowable] = [
        lay.para("四、自愿签署声明", "heading"),
        *lay.paras(a.declaration.statement),
        Spacer(1, 6),
        suspect,
        *present,
        lay.para(f"五、{role}声明", "heading"),
        lay.para(witness),
        SignatureLine(
            lay, f"{role}（签名）：", FIELD_LAWYER, when, handwriting=signatures.get("lawyer")
        ),
        lay.para(f"律师事务所：{a.lawyer.law_firm}　{role}：{a.lawyer.name}{licence}", "label"),
    ]
    procuratorate: list[Flowable] = [
        lay.para("六、人民检察院", "heading"),
        SignatureLine(lay, "承办检察官（签名）：", FIELD_PROSECUTOR, when),
        SealArea(
            lay,
            [f"承办检察官：{a.prosecutor}", f"{a.procuratorate}", when],
            f"{a.procuratorate}（电子签章）",
            FIELD_PROCURATORATE,
        ),
    ]
    return [KeepTogether(parties), KeepTogether(procuratorate)]
