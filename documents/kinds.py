"""The closed choices of a plea agreement: gender, procedure, literacy, the lawyer's role.

Each has its Chinese label as printed in the documents.
"""

from __future__ import annotations

from enum import Enum


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


class Literacy(Enum):
    """How the suspect takes in a written document (阅读能力)."""

    READS_CHINESE = "reads_chinese"  # reads and understands written Chinese
    READ_ALOUD = "read_aloud"  # cannot read it well: the documents are read out in full
    INTERPRETED = "interpreted"  # another language: an interpreter translates them

    @property
    def label(self) -> str:
        """How the declaration says it (能够阅读和理解中文 …)."""
        return {
            "reads_chinese": "能够阅读和理解中文",
            "read_aloud": "不能完全阅读中文，本具结书及告知书已由检察人员向本人完整宣读",
            "interpreted": "不通晓汉语，本具结书及告知书已由翻译人员向本人完整翻译",
        }[self.value]


class LawyerRole(Enum):
    """Whether the witnessing lawyer is the suspect's defender or the duty lawyer."""

    DUTY_LAWYER = "duty_lawyer"
    DEFENDER = "defender"

    @property
    def label(self) -> str:
        """The Chinese label (值班律师 / 辩护人)."""
        return {"duty_lawyer": "值班律师", "defender": "辩护人"}[self.value]
