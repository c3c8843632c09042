"""Chinese writing conventions for documents: numerals, terms, dates, ID numbers, line breaks.

Numbers in legal documents are written the way judgments write them (有期徒刑一年六个月,
罚金人民币三千元); dates as 2026年11月22日. Lines are broken by the Chinese rules (GB/T 15834,
W3C "Requirements for Chinese Text Layout"): closing punctuation never starts a line, opening
punctuation never ends one, and numbers or Latin words are not split.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from reportlab.pdfbase.pdfmetrics import stringWidth

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_DIGITS = "零一二三四五六七八九"


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
        parts.append(("" if skip_one else _DIGITS[d]) + unit)
    return "".join(parts)


def months_text(months: int) -> str:
    """Write a term in months the way sentences are written (18 -> 一年六个月)."""
    years, rest = divmod(months, 12)
    text = f"{chinese_numeral(years)}年" if years else ""
    return text + (f"{chinese_numeral(rest)}个月" if rest else "")


def chinese_date(day: date) -> str:
    """Write a date as in documents: 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    """Write a local time to the second as in records: 2026年11月22日14时05分09秒."""
    return f"{chinese_date(moment)}{moment.hour:02d}时{moment.minute:02d}分{moment.second:02d}秒"


def chinese_duration(seconds: float) -> str:
    """Write a duration as 1小时02分05秒 (or 2分05秒 under an hour)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes:02d}分{secs:02d}秒"
    return f"{minutes}分{secs:02d}秒"


# Chinese line-breaking rules: these never start a line ...
NO_LINE_START = frozenset("，。、；：？！）】》〉」』”’…—％,.;:?!)]%")
# ... and these never end one.
NO_LINE_END = frozenset("（【《〈「『“‘([")
_ATOMS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,/%+\-:]*|.", re.DOTALL)


def break_lines(text: str, font: str, size: float, first: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points (``first`` for the first).

    Greedy, as typesetters do for Chinese: every character may end a line except where the
    rules above forbid it, so a closing mark travels with the character before it and an
    opening mark with the one after it. Runs of digits and Latin letters are kept whole.
    """
    units: list[str] = []
    glue_next = False
    for atom in _ATOMS.findall(text):
        if units and (atom[0] in NO_LINE_START or glue_next):
            units[-1] += atom
        else:
            units.append(atom)
        glue_next = atom[-1] in NO_LINE_END
    lines: list[str] = []
    current, current_width, limit = "", 0.0, first
    for unit in units:
        unit_width = stringWidth(unit, font, size)
        if current and current_width + unit_width > limit:
            lines.append(current)
            current, current_width, limit = "", 0.0, width
        current += unit
        current_width += unit_width
    return [*lines, current] if current else lines
