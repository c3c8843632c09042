"""The plea agreement (认罪认罚具结书) as validated, immutable data.

Every dataclass checks itself in ``__post_init__``, so an invalid agreement cannot exist in
memory: a typo in the resident ID number or an impossible sentence is caught when the
prosecutor drafts the agreement, not after the suspect has signed it. Errors name the field by
its JSON path (``suspect.id_number``) so the drafting form can point at it.

The legal limits checked here come from the Criminal Law (arts. 38, 42, 45, 69, 72, 73), the
Criminal Procedure Law (art. 174: signed with a defender or duty lawyer present; art. 222: the
summary procedure only for sentences up to three years) and the SPP Rules art. 468 (a minor
signs with the legal representative present).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from documents.checks import (
    AgreementError,
    check_text,
    check_true,
    decode_document,
    document_id,
    encode_json,
    set_checked,
)
from documents.chinese import chinese_numeral, id_check_digit, months_text
from documents.kinds import Gender, LawyerRole, Literacy, Procedure
from documents.sentencing import (
    PrincipalPenalty,
    SentencingRecommendation,
    check_summary_procedure,
)

SCHEMA = "pleadesk.plea-agreement/2"
# The agreement has a field named "date"; annotations after it need another name for the type.
_Date: TypeAlias = date
#: The fictional procuratorate of the demo agreement (and of the demo signing certificate).
DEMO_PROCURATORATE = "东湖市滨江区人民检察院"

__all__ = [
    "DEMO_PROCURATORATE",
    "SCHEMA",
    "AgreementError",
    "DutyLawyer",
    "EnglishText",
    "Gender",
    "Guardian",
    "Interpreter",
    "LawyerRole",
    "Literacy",
    "PleaAgreement",
    "PrincipalPenalty",
    "Procedure",
    "SentencingRecommendation",
    "SuspectIdentity",
    "VoluntarinessDeclaration",
    "chinese_numeral",
    "id_check_digit",
    "months_text",
    "standard_statement",
]


def _text(field: str, value: Any, limit: int, multiline: bool = False) -> str:
    return check_text(field, value, max_len=limit, multiline=multiline, error=AgreementError)


@dataclass(frozen=True)
class SuspectIdentity:
    """The suspect's identity as on the resident identity card (犯罪嫌疑人身份信息)."""

    name: str
    gender: Gender
    date_of_birth: date
    id_number: str
    ethnicity: str
    education: str
    address: str
    detained: bool
    detention_place: str = ""
    literacy: Literacy = Literacy.READS_CHINESE
    #: The suspect's language (ISO 639 code); other than "zh", an English rendering goes along.
    language: str = "zh"

    def __post_init__(self) -> None:
        for name, limit in (("name", 50), ("ethnicity", 20), ("education", 20), ("address", 200)):
            set_checked(self, name, _text(f"suspect.{name}", getattr(self, name), limit))
        if self.detained:
            place = _text("suspect.detention_place", self.detention_place, 100)
            set_checked(self, "detention_place", place)
        elif self.detention_place:
            raise AgreementError(
                "suspect.detention_place", "is set but the suspect is not detained"
            )
        if not isinstance(self.language, str) or not re.fullmatch(r"[a-z]{2,3}", self.language):
            raise AgreementError("suspect.language", "must be an ISO 639 code such as zh or en")
        if self.language != "zh" and self.literacy is Literacy.READ_ALOUD:
            raise AgreementError(
                "suspect.literacy",
                "a suspect whose language is not Chinese needs an interpreter, not a reading",
            )
        self._check_id_number()

    def _check_id_number(self) -> None:
        field = "suspect.id_number"
        number = self.id_number.strip().upper() if isinstance(self.id_number, str) else ""
        if not re.fullmatch(r"\d{17}[\dX]", number):
            raise AgreementError(field, "must be 18 characters: 17 digits and a digit or X")
        expected = id_check_digit(number[:17])
        if number[17] != expected:
            raise AgreementError(
                field,
                f"check digit is {number[17]} but the first 17 digits give {expected}; "
                "compare the number with the identity card",
            )
        if number[6:14] != self.date_of_birth.strftime("%Y%m%d"):
            raise AgreementError(field, "birth date in the number differs from the date of birth")
        odd = int(number[16]) % 2 == 1
        if odd != (self.gender is Gender.MALE):
            raise AgreementError(field, "17th digit does not match the gender (odd means male)")
        set_checked(self, "id_number", number)

    def age_on(self, day: date) -> int:
        """Full years of age on ``day``."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class VoluntarinessDeclaration:
    """The suspect's declaration that the plea is voluntary (自愿签署声明)."""

    plea_voluntary: bool
    rights_explained: bool
    lawyer_advice_received: bool
    statement: str
    #: No violence, threat or inducement was used (未受暴力、威胁、引诱).
    no_coercion: bool = True
    #: Not under drugs, medicine or alcohol that impair judgment.
    clear_mind: bool = True

    def __post_init__(self) -> None:
        for name in (
            "plea_voluntary",
            "rights_explained",
            "lawyer_advice_received",
            "no_coercion",
            "clear_mind",
        ):
            what = "the suspect must confirm it before the agreement is signed"
            check_true(f"declaration.{name}", getattr(self, name), what, AgreementError)
        text = _text("declaration.statement", self.statement, 2000, multiline=True)
        set_checked(self, "statement", text)


@dataclass(frozen=True)
class DutyLawyer:
    """The lawyer who advises the suspect and witnesses the signing (值班律师 or 辩护人)."""

    name: str
    law_firm: str
    role: LawyerRole = LawyerRole.DUTY_LAWYER
    #: The 17-digit practising certificate number (执业证号), if known.
    licence_number: str = ""

    def __post_init__(self) -> None:
        set_checked(self, "name", _text("lawyer.name", self.name, 50))
        set_checked(self, "law_firm", _text("lawyer.law_firm", self.law_firm, 100))
        if self.licence_number and not re.fullmatch(r"\d{17}", str(self.licence_number)):
            raise AgreementError("lawyer.licence_number", "must be the 17-digit 执业证号, or empty")


@dataclass(frozen=True)
class Interpreter:
    """The interpreter for a suspect who does not read Chinese (翻译人员)."""

    name: str
    language: str  # the language interpreted, as written in Chinese (英语)

    def __post_init__(self) -> None:
        set_checked(self, "name", _text("interpreter.name", self.name, 50))
        set_checked(self, "language", _text("interpreter.language", self.language, 20))


@dataclass(frozen=True)
class Guardian:
    """A minor suspect's legal representative (法定代理人), who must be present."""

    name: str
    relation: str  # 父亲, 母亲, ...

    def __post_init__(self) -> None:
        set_checked(self, "name", _text("guardian.name", self.name, 50))
        set_checked(self, "relation", _text("guardian.relation", self.relation, 20))


@dataclass(frozen=True)
class EnglishText:
    """The case-specific text of the English rendering: charges and facts, translated."""

    charges: tuple[str, ...]
    facts: str

    def __post_init__(self) -> None:
        if not isinstance(self.charges, tuple) or not self.charges:
            raise AgreementError("english.charges", "none given; translate every charge")
        for i, charge in enumerate(self.charges):
            _text(f"english.charges[{i}]", charge, 80)
        set_checked(self, "facts", _text("english.facts", self.facts, 80_000, multiline=True))


@dataclass(frozen=True)
class PleaAgreement:
    """A plea agreement (认罪认罚具结书) ready to present, sign and render."""

    case_number: str
    procuratorate: str
    session_id: str
    suspect: SuspectIdentity
    charges: tuple[str, ...]
    facts: str
    recommendation: SentencingRecommendation
    procedure: Procedure
    declaration: VoluntarinessDeclaration
    prosecutor: str
    lawyer: DutyLawyer
    date: date
    #: The legal provisions applied (《中华人民共和国刑法》第二百六十四条 …).
    provisions: tuple[str, ...] = ()
    #: When the rights notice (告知书) was given; on or before the agreement date.
    rights_notice_date: _Date | None = None
    interpreter: Interpreter | None = None
    guardian: Guardian | None = None
    #: Required for a foreign-language session (``suspect.language`` other than zh).
    english: EnglishText | None = None

    def __post_init__(self) -> None:
        for name, limit in (
            ("case_number", 64),
            ("procuratorate", 64),
            ("session_id", 64),
            ("prosecutor", 50),
        ):
            set_checked(self, name, _text(name, getattr(self, name), limit))
        set_checked(self, "facts", _text("facts", self.facts, 50_000, multiline=True))
        set_checked(self, "charges", self._checked_list("charges", self.charges, 40))
        set_checked(self, "provisions", self._checked_list("provisions", self.provisions, 80))
        if self.suspect.date_of_birth >= self.date:
            raise AgreementError("suspect.date_of_birth", "is not before the agreement date")
        if self.rights_notice_date is None:
            set_checked(self, "rights_notice_date", self.date)
        elif self.rights_notice_date > self.date:
            raise AgreementError(
                "rights_notice_date", "is after the agreement date; the notice comes first"
            )
        if self.suspect.literacy is Literacy.INTERPRETED and self.interpreter is None:
            raise AgreementError("interpreter", "is missing; the suspect needs an interpreter")
        if self.suspect.age_on(self.date) < 18 and self.guardian is None:
            raise AgreementError(
                "guardian", "is missing; a minor signs with the legal representative present"
            )
        if message := check_summary_procedure(self.procedure.value, self.recommendation):
            raise AgreementError("procedure", message)
        if self.needs_english and self.english is None:
            raise AgreementError(
                "english", "is missing; a foreign-language session needs the facts in English"
            )
        if self.english is not None and len(self.english.charges) != len(self.charges):
            raise AgreementError("english.charges", "must translate each charge, in order")

    @staticmethod
    def _checked_list(name: str, items: Any, limit: int) -> tuple[str, ...]:
        if not isinstance(items, tuple) or (name == "charges" and not items):
            raise AgreementError(name, f"none given; enter at least one ({name})")
        if len(items) > 20:
            raise AgreementError(name, "more than 20 entries")
        checked = tuple(_text(f"{name}[{i}]", item, limit) for i, item in enumerate(items))
        for i, item in enumerate(checked):
            if name == "charges" and not item.endswith("罪"):
                raise AgreementError(f"charges[{i}]", f"“{item}” is not a charge name ending in 罪")
        if len(set(checked)) != len(checked):
            raise AgreementError(name, "the same entry is listed twice")
        return checked

    @property
    def charges_text(self) -> str:
        """The charges joined as printed (盗窃罪、诈骗罪)."""
        return "、".join(self.charges)

    @property
    def document_id(self) -> str:
        """The identifier printed in the footer of every page."""
        return document_id("JJS", self.session_id)

    @property
    def needs_english(self) -> bool:
        """True for a foreign-language session: an English rendering goes beside the Chinese."""
        return self.suspect.language != "zh"

    def to_json(self) -> dict[str, Any]:
        """Return the agreement as a plain JSON-compatible dict (enums by value, ISO dates)."""
        return {"schema": SCHEMA, **encode_json(self)}

    @classmethod
    def from_json(cls, data: Any) -> PleaAgreement:
        """Build and validate an agreement from :meth:`to_json` output; raise AgreementError."""
        result: PleaAgreement = decode_document(cls, data, SCHEMA, AgreementError, "agreement")
        return result


def standard_statement(education: str, literacy: Literacy = Literacy.READS_CHINESE) -> str:
    """The customary wording of the voluntariness declaration (自愿签署声明)."""
    return (
        f"本人文化程度为{education}，{literacy.label}。人民检察院已充分告知本人认罪认罚的"
        "法律性质和法律后果。本人就本具结书所列各项内容与律师进行了沟通，律师向本人"
        "提供了法律咨询和帮助。本人系在知情和自愿的情况下签署本具结书，未受到任何暴力、威胁、"
        "引诱，未受到药物、酒精等影响判断能力的因素影响，除本具结书载明的内容外，没有获得其他"
        "任何承诺。本具结书系本人真实意思表示。"
    )
