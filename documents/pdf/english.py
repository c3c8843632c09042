"""The English rendering of the plea agreement, for foreign-language sessions.

It goes beside the Chinese agreement, which remains the document the parties sign: this
rendering lets the suspect follow every clause with the interpreter, says so at the top, and
carries the Chinese document's id. It is certified by the procuratorate like the original,
but has no fields for the suspect or the lawyer.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from documents.agreement import PleaAgreement
from documents.pdf.agreement import FIELD_PROCURATORATE
from documents.pdf.blocks import SealArea
from documents.pdf.layout import DocumentInfo, DocumentLayout

_PROCEDURES = {
    "summary": "the summary procedure (速裁程序)",
    "simplified": "the simplified procedure (简易程序)",
    "ordinary": "the ordinary procedure (普通程序)",
}


class EnglishRenderingError(ValueError):
    """The agreement has no English text to render (not a foreign-language session)."""


def render_agreement_english(agreement: PleaAgreement) -> bytes:
    """Render the English rendering of ``agreement``, with the procuratorate's field only."""
    english = agreement.english
    if english is None:
        raise EnglishRenderingError(
            "The agreement has no English text (charges and facts in English); add it in the "
            "drafting form for a foreign-language session."
        )
    layout = DocumentLayout(
        DocumentInfo(
            title="Plea Agreement — English rendering",
            author=agreement.procuratorate,
            case_number=agreement.case_number,
            document_id=agreement.document_id + "-EN",
            english=True,
        )
    )
    return layout.build(_story(agreement, layout), [FIELD_PROCURATORATE])


def _story(a: PleaAgreement, lay: DocumentLayout) -> list[Flowable]:
    assert a.english is not None
    s, r = a.suspect, a.recommendation
    lawyer = "duty lawyer" if a.lawyer.role.value == "duty_lawyer" else "defender"
    charges = ", ".join(a.english.charges)
    identity = (
        f"Name: {s.name}. Sex: {'male' if s.gender.value == 'male' else 'female'}. "
        f"Born {s.date_of_birth.isoformat()}. Identity document number: {s.id_number}. "
        f"Nationality or ethnicity: {s.ethnicity}. Education: {s.education}. "
        f"Address: {s.address}."
    )
    if s.detained:
        identity += f" Detained at {s.detention_place}."
    if a.interpreter is not None:
        identity += f" Interpreter: {a.interpreter.name} ({a.interpreter.language})."
    law = "; ".join(a.provisions)
    notice_day = a.rights_notice_date or a.date
    story: list[Flowable] = [
        Paragraph("Plea Agreement", lay.styles["title"]),
        lay.para("认罪认罚具结书 — English rendering", "meta"),
        lay.para(f"{a.procuratorate} · Case {a.case_number}", "meta"),
        lay.para(
            f"This is an English rendering of the Chinese plea agreement {a.document_id}, made "
            "so that the suspect can follow it with the interpreter. The suspect and the lawyer "
            "sign the Chinese agreement; where the two differ, the Chinese text governs.",
            "note",
        ),
        lay.para("1. The suspect", "heading"),
        lay.para(identity),
        lay.para("2. Rights", "heading"),
        lay.para(
            f"On {notice_day.isoformat()} I received the Notice of the Plea Leniency System "
            "(认罪认罚从宽制度告知书). The procuratorate has informed me of my procedural "
            "rights and of the law on pleading guilty. I understand and accept it, and I choose "
            "the plea leniency system of my own will."
        ),
        lay.para("3. What I admit and accept", "heading"),
        lay.para(f"(1) Facts and charge. I acknowledge the facts alleged by {a.procuratorate}:"),
        *lay.paras(a.english.facts),
        lay.para(
            f"I admit that this conduct constitutes {charges}"
            + (f" under {law}" if law else "")
            + ", and I plead guilty."
        ),
        lay.para(
            f"(2) Sentencing recommendation. I agree to the recommendation of {a.procuratorate} "
            f"that I be sentenced to {r.english()} ({r.text()})."
        ),
        lay.para(
            f"(3) Procedure. I agree that the case be tried in {_PROCEDURES[a.procedure.value]}."
        ),
    ]
    closing: list[Flowable] = [
        lay.para("4. Declaration", "heading"),
        lay.para(
            "The procuratorate has fully explained the legal nature and consequences of pleading "
            f"guilty. I have discussed every item of this agreement with the {lawyer}, who gave "
            "me legal advice. I sign knowingly and voluntarily, without violence, threat or "
            "inducement, not under the influence of drugs, medicine or alcohol, and without any "
            "promise beyond what this agreement says. It states my true intention."
        ),
        lay.para(f"5. The {lawyer}", "heading"),
        lay.para(
            f"{a.lawyer.name} ({a.lawyer.law_firm}) witnesses that the suspect has read, or had "
            "translated, the notice and this agreement, and signs the Chinese agreement "
            "voluntarily as far as the lawyer knows."
        ),
        Spacer(1, 8),
        SealArea(
            lay,
            [f"Prosecutor: {a.prosecutor}", f"Date: {a.date.isoformat()}"],
            f"{a.procuratorate} (certified rendering)",
            FIELD_PROCURATORATE,
        ),
    ]
    return [*story, KeepTogether(closing)]
