"""Chinese writing conventions: line breaking, dates, durations."""

from __future__ import annotations

import random
import re
from datetime import date, datetime

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from documents.chinese import (
    NO_LINE_END,
    NO_LINE_START,
    break_lines,
    chinese_date,
    chinese_datetime,
    chinese_duration,
)
from documents.pdf.fonts import register_cjk_font

FONT = register_cjk_font()
PIECES = [
    *("犯罪嫌疑人", "盗窃", "电瓶", "，", "。", "、", "“", "”", "《刑法》", "（", "）"),
    *("2026年", "3260元", "iPhone", "；", "：", "第二百六十四条", "……", "——"),
]


def random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(length))


def single_unit(line: str) -> bool:
    """A character or a Latin/digit run, with the opening marks before it and closing after."""
    body = line.lstrip("".join(NO_LINE_END))
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9.,/%+\-:]*|.", body)
    rest = body[match.end() :] if match else ""
    return all(ch in NO_LINE_START for ch in rest)


@pytest.mark.parametrize("seed", range(40))
def test_lines_obey_the_rules_and_fit_the_width(seed: int) -> None:
    rng = random.Random(seed)
    text = random_text(rng, rng.randint(5, 120))
    width = rng.uniform(120, 440)
    lines = break_lines(text, FONT, 12, width - 24, width)
    assert "".join(lines) == text  # nothing lost, nothing added
    for i, line in enumerate(lines):
        if i > 0:
            assert line[0] not in NO_LINE_START, lines
        if i < len(lines) - 1:
            assert line[-1] not in NO_LINE_END, lines
        # Only a line holding a single unbreakable unit may be wider than the column.
        limit = width - 24 if i == 0 else width
        assert stringWidth(line, FONT, 12) <= limit + 0.01 or single_unit(line), line


def test_numbers_and_words_are_not_split() -> None:
    text = "价值人民币3260元，型号iPhone15，共计12345678元。" * 3
    for width in range(60, 300, 7):
        lines = break_lines(text, FONT, 12, width, width)
        for line in lines[1:]:
            assert not line[0].isdigit() or not lines[lines.index(line) - 1][-1].isdigit()


def test_dates_and_times_are_written_as_in_records() -> None:
    assert chinese_date(date(2026, 3, 7)) == "2026年3月7日"
    assert chinese_datetime(datetime(2026, 3, 7, 14, 5, 9)) == "2026年3月7日14时05分09秒"
    assert chinese_duration(125) == "2分05秒"
    assert chinese_duration(3725.4) == "1小时02分05秒"
