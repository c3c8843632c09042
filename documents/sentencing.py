"""The sentencing recommendation (量刑建议) and the legal limits it must respect.

Terms are months. The limits come from the Criminal Law: fixed-term imprisonment 6 months to
15 years (25 for combined punishment, art. 45/69), criminal detention 1 to 6 months (1 year
combined, art. 42/69), public surveillance 3 months to 2 years (3 combined, art. 38/69);
probation (缓刑) only for detention or up to three years' imprisonment (art. 72), with a test
period of 2 months to 1 year for detention and 1 to 5 years for imprisonment, never shorter
than the term (art. 73). The summary procedure (速裁) is for up to three years (CPL art. 222).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from documents.checks import AgreementError
from documents.chinese import chinese_numeral, months_text


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
    def english(self) -> str:
        """The English name, for the English rendering."""
        return self.value.replace("_", " ")

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
_PROBATION_LIMITS = {
    PrincipalPenalty.FIXED_TERM_IMPRISONMENT: (12, 60),
    PrincipalPenalty.CRIMINAL_DETENTION: (2, 12),
}
_PROBATION_MAX_IMPRISONMENT_MONTHS = 36
_SUMMARY_MAX_IMPRISONMENT_MONTHS = 36


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
        fine = self.fine_yuan
        if fine is not None and (not isinstance(fine, int) or isinstance(fine, bool) or fine <= 0):
            raise AgreementError("recommendation.fine_yuan", "must be a positive amount, or none")
        if fine is not None and fine >= 100_000_000:
            raise AgreementError("recommendation.fine_yuan", "is implausibly large; check it")
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
        if (
            not isinstance(months, int)
            or isinstance(months, bool)
            or not low <= months <= limits[1]
        ):
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

    def english(self) -> str:
        """The recommendation in English, e.g. 8 months of fixed-term imprisonment, fine …."""
        term = _months_english(self.term_months_min)
        if not self.is_fixed:
            term += " to " + _months_english(self.term_months_max)
        text = f"{term} of {self.penalty.english}"
        if self.probation_months is not None:
            text += (
                f", suspended with a probation period of {_months_english(self.probation_months)}"
            )
        if self.fine_yuan is not None:
            text += f", and a fine of RMB {self.fine_yuan:,} yuan"
        return text


def _months_english(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year" + ("s" if years > 1 else ""))
    if rest:
        parts.append(f"{rest} month" + ("s" if rest > 1 else ""))
    return " and ".join(parts)


def check_summary_procedure(procedure: str, recommendation: SentencingRecommendation) -> str:
    """Why ``procedure`` cannot go with ``recommendation``, or "" if it can (CPL art. 222)."""
    if (
        procedure == "summary"
        and recommendation.penalty is PrincipalPenalty.FIXED_TERM_IMPRISONMENT
        and recommendation.term_months_max > _SUMMARY_MAX_IMPRISONMENT_MONTHS
    ):
        return (
            "the summary procedure (速裁) is only for sentences of up to three years; "
            "choose the simplified or ordinary procedure"
        )
    return ""
