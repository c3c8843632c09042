"""The rights notice (认罪认罚从宽制度告知书) given before the hearing, as validated data.

The notice is given in writing (2019 Guiding Opinions art. 26) and read out at the start of the
recorded session; the suspect acknowledges it by signing. Its items restate the Criminal
Procedure Law provisions on the plea-leniency system (arts. 15, 36, 173, 174, 176, 201, 222)
and the recording of the session; :data:`ITEMS_ZH` is the Chinese text, :data:`ITEMS_EN` the
English rendering for foreign-language sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from documents.agreement import Literacy, PleaAgreement
from documents.checks import (
    NoticeError,
    check_text,
    decode_document,
    document_id,
    encode_json,
    set_checked,
)

SCHEMA = "pleadesk.rights-notice/1"

ITEMS_ZH = (
    "犯罪嫌疑人自愿如实供述自己的罪行，承认指控的犯罪事实，愿意接受处罚的，可以依法从宽处理。",
    "犯罪嫌疑人有权委托辩护人；没有委托辩护人的，有权约见值班律师，获得法律咨询、程序选择建议、"
    "申请变更强制措施、对案件处理提出意见等法律帮助。人民检察院、看守所应当为约见值班律师提供便利。",
    "人民检察院将就下列事项听取犯罪嫌疑人、辩护人或者值班律师的意见，并记录在案：（一）涉嫌的犯罪"
    "事实、罪名及适用的法律规定；（二）从轻、减轻或者免除处罚等从宽处理的建议；（三）认罪认罚后案件"
    "审理适用的程序；（四）其他需要听取意见的事项。",
    "犯罪嫌疑人自愿认罪，同意量刑建议和程序适用的，应当在辩护人或者值班律师在场的情况下签署认罪认罚"
    "具结书。犯罪嫌疑人是盲、聋、哑人，或者是尚未完全丧失辨认或者控制自己行为能力的精神病人的，"
    "未成年犯罪嫌疑人的法定代理人、辩护人对认罪认罚有异议的，以及其他不需要签署的情形，不需要签署"
    "认罪认罚具结书。",
    "犯罪嫌疑人认罪认罚的，人民检察院应当就主刑、附加刑、是否适用缓刑等提出量刑建议，"
    "并将认罪认罚具结书等材料随案移送人民法院。",
    "人民法院依法作出判决时，一般应当采纳人民检察院指控的罪名和量刑建议；但被告人的行为不构成犯罪"
    "或者不应当追究刑事责任、被告人违背意愿认罪认罚、被告人否认指控的犯罪事实、起诉指控的罪名与"
    "审理认定的罪名不一致，或者有其他可能影响公正审判的情形的除外。",
    "可能判处三年有期徒刑以下刑罚的案件，事实清楚，证据确实、充分，被告人认罪认罚并同意适用速裁程序的，"
    "可以适用速裁程序审理；符合条件的，也可以适用简易程序或者普通程序审理。",
    "犯罪嫌疑人签署认罪认罚具结书后，在人民检察院提起公诉前反悔的，具结书失效，人民检察院将在全面"
    "审查事实证据的基础上依法处理。",
    "人民检察院听取意见及签署认罪认罚具结书的过程全程同步录音录像；录音录像依法封存，随案移送。",
)

ITEMS_EN = (
    "A suspect who voluntarily and truthfully confesses the crime, admits the facts charged and "
    "is willing to accept punishment may be treated leniently according to law.",
    "The suspect may retain a defender. A suspect without a defender has the right to meet a "
    "duty lawyer, who gives legal advice, advice on the choice of procedure, help in applying "
    "to change compulsory measures, and opinions on the handling of the case. The procuratorate "
    "and the detention centre must make such a meeting easy.",
    "The procuratorate will hear, and record, the opinions of the suspect and of the defender or "
    "duty lawyer on: (1) the facts alleged, the charge and the law applied; (2) the proposed "
    "leniency, such as a lighter or mitigated punishment or exemption from punishment; (3) the "
    "trial procedure after the plea; (4) other matters on which opinions are needed.",
    "A suspect who pleads guilty voluntarily and agrees to the sentencing recommendation and the "
    "procedure signs the plea agreement with the defender or duty lawyer present. No agreement is "
    "signed where the suspect is blind, deaf or mute, or a mentally ill person who has not "
    "completely lost the capacity to recognise or control their conduct; where the legal "
    "representative or defender of a minor suspect objects to the plea; or in other cases "
    "where none is needed.",
    "When the suspect pleads guilty, the procuratorate proposes the principal and supplementary "
    "penalty and whether to suspend the sentence, and sends the plea agreement to the court "
    "with the case file.",
    "When giving judgment, the court generally adopts the charge and the sentencing "
    "recommendation, except where the conduct is not a crime or should not be prosecuted, the "
    "plea was made against the defendant's will, the defendant denies the facts charged, the "
    "charge differs from the one found at trial, or other circumstances may affect a fair trial.",
    "A case likely to be punished with at most three years' imprisonment, with clear facts and "
    "reliable and sufficient evidence, may be tried in the summary procedure if the defendant "
    "pleads guilty and agrees; where the conditions are met, the simplified or the ordinary "
    "procedure may also be used.",
    "If the suspect withdraws from the signed plea agreement before the procuratorate brings "
    "the prosecution, the agreement lapses and the procuratorate decides on a full review of the "
    "facts and evidence.",
    "The hearing of opinions and the signing of the plea agreement are recorded in sound and "
    "picture throughout; the recording is sealed and sent with the case file.",
)


@dataclass(frozen=True)
class RightsNotice:
    """A rights notice given to one suspect on one day (认罪认罚从宽制度告知书)."""

    case_number: str
    procuratorate: str
    session_id: str
    suspect_name: str
    charges: tuple[str, ...]
    prosecutor: str
    date: date
    delivery: Literacy = Literacy.READS_CHINESE
    interpreter: str = ""
    language: str = "zh"

    def __post_init__(self) -> None:
        for name, limit in (
            ("case_number", 64),
            ("procuratorate", 64),
            ("session_id", 64),
            ("suspect_name", 50),
            ("prosecutor", 50),
        ):
            value = check_text(name, getattr(self, name), max_len=limit, error=NoticeError)
            set_checked(self, name, value)
        if not isinstance(self.charges, tuple) or not self.charges:
            raise NoticeError("charges", "none given; name the charge the suspect faces")
        for i, charge in enumerate(self.charges):
            check_text(f"charges[{i}]", charge, max_len=40, error=NoticeError)
        if self.delivery is Literacy.INTERPRETED and not self.interpreter.strip():
            raise NoticeError(
                "interpreter", "is empty; an interpreted notice names the interpreter"
            )

    @classmethod
    def from_agreement(cls, agreement: PleaAgreement) -> RightsNotice:
        """The notice that goes with ``agreement``, given on its rights-notice date."""
        return cls(
            case_number=agreement.case_number,
            procuratorate=agreement.procuratorate,
            session_id=agreement.session_id,
            suspect_name=agreement.suspect.name,
            charges=agreement.charges,
            prosecutor=agreement.prosecutor,
            date=agreement.rights_notice_date or agreement.date,
            delivery=agreement.suspect.literacy,
            interpreter=agreement.interpreter.name if agreement.interpreter else "",
            language=agreement.suspect.language,
        )

    @property
    def document_id(self) -> str:
        """The identifier printed in the footer of every page."""
        return document_id("GZS", self.session_id)

    @property
    def needs_english(self) -> bool:
        """True for a foreign-language session: an English rendering goes beside the Chinese."""
        return self.language != "zh"

    def to_json(self) -> dict[str, Any]:
        """The notice as plain JSON values."""
        return {"schema": SCHEMA, **encode_json(self)}

    @classmethod
    def from_json(cls, data: Any) -> RightsNotice:
        """Build and validate a notice from :meth:`to_json` output; raise NoticeError."""
        result: RightsNotice = decode_document(cls, data, SCHEMA, NoticeError, "notice")
        return result
