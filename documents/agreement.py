"""The plea agreement (认罪认罚具结书) as validated, immutable data.

Every dataclass checks itself in ``__post_init__``, so an invalid agreement cannot exist in
memory: a typo in the resident ID number or an impossible sentence is caught when the
prosecutor drafts the agreement, not after the suspect has signed it. Errors name the field by
its JSON path (``suspect.id_number``) so the drafting form can point at it.

The legal limits checked here come from the Criminal Law (arts. 38, 42, 45, 69, 72, 73) and the
Criminal Procedure Law (art. 222: the summary procedure only for sentences up to three years).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

SCHEMA = "pleadesk.plea-agreement/1"
#: The fictional procuratorate of the demo agreement (and of the demo signing certificate).
DEMO_PROCURATORATE = "东湖市滨江区人民检察院"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_CONTROL_CHARS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class AgreementError(ValueError):
    """A plea agreement field is missing or wrong; ``field`` is its JSON path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Gender(Enum):
    """Gender as printed on the resident identity card."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        """The Chinese label (男 / 女)."""
        return {"male": "男", "female": "女"}[self.value]


class Procedure(Enum):
    """The trial procedure the suspect agrees to (程序适用)."""

    SUMMARY = "summary"
    SIMPLIFIED = "simplified"
    ORDINARY = "ordinary"

    @property
    def label(self) -> str:
        """The Chinese label (速裁程序 / 简易程序 / 普通程序)."""
        return {"summary": "速裁程序", "simplified": "简易程序", "ordinary": "普通程序"}[self.value]


class PrincipalPenalty(Enum):
    """The principal penalty of a sentencing recommendation (主刑)."""

    FIXED_TERM_IMPRISONMENT = "fixed_term_imprisonment"
    CRIMINAL_DETENTION = "criminal_detention"
    PUBLIC_SURVEILLANCE = "public_surveillance"

    @property
    def label(self) -> str:
        """The Chinese label (有期徒刑 / 拘役 / 管制)."""
        return _PENALTY_LABELS[self]

    @property
    def term_limits(self) -> tuple[int, int]:
        """Shortest and longest term in months, the longest for combined punishment."""
        return _PENALTY_TERMS[self]


_PENALTY_LABELS = {
    PrincipalPenalty.FIXED_TERM_IMPRISONMENT: "有期徒刑",
    PrincipalPenalty.CRIMINAL_DETENTION: "拘役",
    PrincipalPenalty.PUBLIC_SURVEILLANCE: "管制",
}
_PENALTY_TERMS = {
    PrincipalPenalty.FIXED_TERM_IMPRISONMENT: (6, 300),
    PrincipalPenalty.CRIMINAL_DETENTION: (1, 12),
    PrincipalPenalty.PUBLIC_SURVEILLANCE: (3, 36),
}
# Probation (缓刑) test period in months, art. 73: detention 2..12, imprisonment 12..60.
_PROBATION_LIMITS = {
    PrincipalPenalty.FIXED_TERM_IMPRISONMENT: (12, 60),
    PrincipalPenalty.CRIMINAL_DETENTION: (2, 12),
}
_PROBATION_MAX_IMPRISONMENT_MONTHS = 36  # art. 72: probation only up to three years
_SUMMARY_MAX_IMPRISONMENT_MONTHS = 36  # CPL art. 222


def id_check_digit(first17: str) -> str:
    """Return the GB 11643 check character ('0'-'9' or 'X') for the first 17 ID digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def chinese_numeral(n: int) -> str:
    """Write 0 <= n < 100,000,000 in Chinese numerals as in judgments (4000 -> 四千)."""
    if not 0 <= n < 100_000_000:
        raise ValueError(f"{n} is outside the supported range")
    if n < 10_000:
        return _below_10000(n, leading=True)
    high, low = divmod(n, 10_000)
    text = _below_10000(high, leading=True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_10000(low, leading=False)
    return text


def _below_10000(n: int, *, leading: bool) -> str:
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        # 10-19 at the start of a number read 十, 十一 ... not 一十.
        skip_one = d == 1 and unit == "十" and not parts and leading
        parts.append(("" if skip_one else digits[d]) + unit)
    return "".join(parts)


def months_text(months: int) -> str:
    """Write a term in months the way sentences are written (18 -> 一年六个月)."""
    years, rest = divmod(months, 12)
    text = f"{chinese_numeral(years)}年" if years else ""
    return text + (f"{chinese_numeral(rest)}个月" if rest else "")


def chinese_date(day: date) -> str:
    """Write a date as in documents: 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"


def check_text(field: str, value: Any, *, max_len: int, multiline: bool = False) -> str:
    """Return ``value`` stripped if it is non-empty text within limits, else raise."""
    if not isinstance(value, str) or not value.strip():
        raise AgreementError(field, "is empty; fill it in before presenting the agreement")
    value = value.strip()
    if len(value) > max_len:
        raise AgreementError(field, f"is {len(value)} characters long; at most {max_len}")
    if _CONTROL_CHARS.search(value) or (not multiline and "\n" in value):
        raise AgreementError(field, "contains line breaks or control characters; retype it")
    return value


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

    def __post_init__(self) -> None:
        for name, limit in (("name", 50), ("ethnicity", 20), ("education", 20), ("address", 200)):
            object.__setattr__(
                self, name, check_text(f"suspect.{name}", getattr(self, name), max_len=limit)
            )
        if self.detained:
            place = check_text("suspect.detention_place", self.detention_place, max_len=100)
            object.__setattr__(self, "detention_place", place)
        elif self.detention_place:
            raise AgreementError(
                "suspect.detention_place", "is set but the suspect is not detained"
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
        object.__setattr__(self, "id_number", number)


@dataclass(frozen=True)
class SentencingRecommendation:
    """The sentencing recommendation (量刑建议): a fixed term (确定刑) or a range (幅度刑)."""

    penalty: PrincipalPenalty
    term_months_min: int
    term_months_max: int
    fine_yuan: int | None = None
    probation_months: int | None = None

    def __post_init__(self) -> None:
        lo, hi = self.penalty.term_limits
        for name in ("term_months_min", "term_months_max"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise AgreementError(
                    f"recommendation.{name}",
                    f"{self.penalty.label} must be {lo} to {hi} months, got {value!r}",
                )
        if self.term_months_max < self.term_months_min:
            raise AgreementError("recommendation.term_months_max", "is shorter than the minimum")
        if self.fine_yuan is not None and (isinstance(self.fine_yuan, bool) or self.fine_yuan <= 0):
            raise AgreementError("recommendation.fine_yuan", "must be a positive amount, or none")
        if self.probation_months is not None:
            self._check_probation(self.probation_months)

    def _check_probation(self, months: int) -> None:
        field = "recommendation.probation_months"
        limits = _PROBATION_LIMITS.get(self.penalty)
        if limits is None:
            raise AgreementError(field, f"probation is not possible with {self.penalty.label}")
        if (
            self.penalty is PrincipalPenalty.FIXED_TERM_IMPRISONMENT
            and self.term_months_max > _PROBATION_MAX_IMPRISONMENT_MONTHS
        ):
            raise AgreementError(field, "probation needs a term of at most three years")
        low = max(limits[0], self.term_months_max)
        if isinstance(months, bool) or not low <= months <= limits[1]:
            raise AgreementError(field, f"must be {low} to {limits[1]} months, got {months!r}")

    @property
    def is_fixed(self) -> bool:
        """True for a fixed-term recommendation (确定刑)."""
        return self.term_months_min == self.term_months_max

    def text(self) -> str:
        """The recommendation in Chinese, e.g. 有期徒刑八个月，并处罚金人民币三千元."""
        term = months_text(self.term_months_min)
        if not self.is_fixed:
            term += "至" + months_text(self.term_months_max)
        text = self.penalty.label + term
        if self.probation_months is not None:
            text += "，缓刑" + months_text(self.probation_months)
        if self.fine_yuan is not None:
            text += f"，并处罚金人民币{chinese_numeral(self.fine_yuan)}元"
        return text


@dataclass(frozen=True)
class VoluntarinessDeclaration:
    """The suspect's declaration that the plea is voluntary (自愿签署声明)."""

    plea_voluntary: bool
    rights_explained: bool
    lawyer_advice_received: bool
    statement: str

    def __post_init__(self) -> None:
        for name in ("plea_voluntary", "rights_explained", "lawyer_advice_received"):
            if getattr(self, name) is not True:
                raise AgreementError(
                    f"declaration.{name}",
                    "is not confirmed; the suspect must confirm it before the agreement is signed",
                )
        text = check_text("declaration.statement", self.statement, max_len=2000, multiline=True)
        object.__setattr__(self, "statement", text)


@dataclass(frozen=True)
class DutyLawyer:
    """The duty lawyer (值班律师) who advises the suspect and witnesses the signing."""

    name: str
    law_firm: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_text("lawyer.name", self.name, max_len=50))
        object.__setattr__(
            self, "law_firm", check_text("lawyer.law_firm", self.law_firm, max_len=100)
        )


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

    def __post_init__(self) -> None:
        for name, limit in (
            ("case_number", 64),
            ("procuratorate", 64),
            ("session_id", 64),
            ("prosecutor", 50),
        ):
            object.__setattr__(self, name, check_text(name, getattr(self, name), max_len=limit))
        object.__setattr__(
            self, "facts", check_text("facts", self.facts, max_len=50_000, multiline=True)
        )
        self._check_charges()
        if self.suspect.date_of_birth >= self.date:
            raise AgreementError("suspect.date_of_birth", "is not before the agreement date")
        if (
            self.procedure is Procedure.SUMMARY
            and self.recommendation.penalty is PrincipalPenalty.FIXED_TERM_IMPRISONMENT
            and self.recommendation.term_months_max > _SUMMARY_MAX_IMPRISONMENT_MONTHS
        ):
            raise AgreementError(
                "procedure",
                "the summary procedure (速裁) is only for sentences of up to three years; "
                "choose the simplified or ordinary procedure",
            )

    def _check_charges(self) -> None:
        if not isinstance(self.charges, tuple) or not self.charges:
            raise AgreementError("charges", "no charge given; enter at least one charge (罪名)")
        if len(self.charges) > 20:
            raise AgreementError("charges", "more than 20 charges")
        checked = []
        for i, charge in enumerate(self.charges):
            charge = check_text(f"charges[{i}]", charge, max_len=40)
            if not charge.endswith("罪"):
                raise AgreementError(
                    f"charges[{i}]", f"“{charge}” is not a charge name ending in 罪"
                )
            checked.append(charge)
        if len(set(checked)) != len(checked):
            raise AgreementError("charges", "the same charge is listed twice")
        object.__setattr__(self, "charges", tuple(checked))

    @property
    def charges_text(self) -> str:
        """The charges joined as printed (盗窃罪、诈骗罪)."""
        return "、".join(self.charges)

    def to_json(self) -> dict[str, Any]:
        """Return the agreement as a plain JSON-compatible dict (enums by value, ISO dates)."""
        return {"schema": SCHEMA, **_encode(self)}

    @classmethod
    def from_json(cls, data: Any) -> PleaAgreement:
        """Build and validate an agreement from :meth:`to_json` output; raise AgreementError."""
        if not isinstance(data, dict):
            raise AgreementError("agreement", "is not a JSON object")
        if data.get("schema") != SCHEMA:
            raise AgreementError("schema", f"unknown document type; expected {SCHEMA}")
        return _decode(cls, {k: v for k, v in data.items() if k != "schema"}, "")


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(kind: Any, value: Any, path: str) -> Any:
    """Convert JSON ``value`` to ``kind`` (a type hint of the dataclasses above)."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise AgreementError(path or "agreement", "is missing or not a JSON object")
        hints = typing.get_type_hints(kind)
        names = [f.name for f in dataclasses.fields(kind)]  # in order: first error is stable
        if unknown := sorted(set(value) - set(names)):
            raise AgreementError(path or "agreement", f"has unknown fields {unknown}")
        args = {}
        for name in names:
            sub = f"{path}.{name}" if path else name
            args[name] = _decode(hints[name], value.get(name), sub)
        return kind(**args)
    if typing.get_origin(kind) in (types.UnionType, typing.Union):  # "int | None"
        return None if value is None else _decode(typing.get_args(kind)[0], value, path)
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, list):
            raise AgreementError(path, "is missing or not a list")
        return tuple(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise AgreementError(path, f"is {value!r}; expected one of {allowed}") from None
    if kind is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise AgreementError(path, "is missing or not a date (YYYY-MM-DD)") from None
    # bool is an int subclass: true/false must not pass as a number of months.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AgreementError(path, f"is missing or not of type {kind.__name__}")
    return value


def standard_statement(education: str) -> str:
    """The customary wording of the voluntariness declaration (自愿签署声明)."""
    return (
        f"本人文化程度为{education}，能够阅读和理解汉语。人民检察院已充分告知本人认罪认罚的"
        "法律性质和法律后果。本人就本具结书所列各项内容与值班律师进行了沟通，值班律师向本人"
        "提供了法律咨询和帮助。本人系在知情和自愿的情况下签署本具结书，未受到任何暴力、威胁、"
        "引诱，本具结书系本人真实意思表示。"
    )


_SURNAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
_GIVEN = {
    Gender.MALE: ("志强", "建华", "海涛", "伟", "晓东", "国庆", "俊杰", "文斌", "家豪", "明辉"),
    Gender.FEMALE: ("丽娟", "秀英", "婷", "晓燕", "春梅", "慧敏"),
}
_STREETS = ("江滨路", "望湖路", "新港大道", "东风路", "滨河街")


def demo_agreement(case_number: str, session_id: str, *, on: date | None = None) -> PleaAgreement:
    """Return a realistic synthetic theft agreement (盗窃罪, 速裁) for the demo.

    People, places and the procuratorate are fictional; choices are derived from the case
    number and session id, so the same inputs give the same agreement. ``on`` is the
    agreement date (today if omitted).
    """
    on = on or date.today()
    seed = hashlib.sha256(f"{case_number}\x00{session_id}".encode()).digest()
    rng = random.Random(seed)
    gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN[gender])
    born = date(on.year - rng.randint(20, 55), rng.randint(1, 12), rng.randint(1, 28))
    sequence = rng.randrange(0, 1000, 2) + (1 if gender is Gender.MALE else 0)
    first17 = f"440106{born:%Y%m%d}{sequence:03d}"
    batteries = rng.randint(3, 6)
    value = rng.randint(20, 90) * 100 + rng.choice((0, 60, 80))
    start = date.fromordinal(on.toordinal() - rng.randint(50, 80))
    caught = date.fromordinal(start.toordinal() + rng.randint(15, 25))
    estate = rng.choice(("锦绣", "翠湖", "阳光", "金沙")) + "花园"
    facts = (
        f"经依法审查查明：{chinese_date(start)}至{chinese_date(caught)}期间，犯罪嫌疑人{name}"
        f"先后{chinese_numeral(batteries - 1)}次在东湖市滨江区{estate}小区地下停车场等处，"
        f"采用剪断连接线的方式，盗窃他人停放的电动自行车电瓶共计{chinese_numeral(batteries)}个。"
        f"经价格认定，上述电瓶价值共计人民币{chinese_numeral(value)}元。\n"
        f"{chinese_date(caught)}，犯罪嫌疑人{name}被公安机关抓获，到案后如实供述了上述犯罪事实。"
        "涉案赃物已全部追回并发还被害人，被害人对犯罪嫌疑人表示谅解。"
    )
    education = rng.choice(("初中", "高中", "中专"))
    return PleaAgreement(
        case_number=case_number,
        procuratorate=DEMO_PROCURATORATE,
        session_id=session_id,
        suspect=SuspectIdentity(
            name=name,
            gender=gender,
            date_of_birth=born,
            id_number=first17 + id_check_digit(first17),
            ethnicity="汉族",
            education=education,
            address=f"东湖市滨江区{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
            detained=True,
            detention_place="东湖市滨江区看守所",
        ),
        charges=("盗窃罪",),
        facts=facts,
        recommendation=_demo_recommendation(rng),
        procedure=Procedure.SUMMARY,
        declaration=VoluntarinessDeclaration(
            plea_voluntary=True,
            rights_explained=True,
            lawyer_advice_received=True,
            statement=standard_statement(education),
        ),
        prosecutor=rng.choice(_SURNAMES) + rng.choice(("思远", "静怡", "立新", "雪")),
        lawyer=DutyLawyer(
            name=rng.choice(_SURNAMES) + rng.choice(("正平", "雅琴", "宏")),
            law_firm="东湖正言律师事务所",
        ),
        date=on,
    )


def _demo_recommendation(rng: random.Random) -> SentencingRecommendation:
    months = rng.randint(6, 10)
    return SentencingRecommendation(
        penalty=PrincipalPenalty.FIXED_TERM_IMPRISONMENT,
        term_months_min=months,
        term_months_max=months,
        fine_yuan=rng.choice((2000, 3000, 4000)),
    )
