"""The signed, hash-chained log: appends, and every kind of tampering found and named."""

from __future__ import annotations

import base64
import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from recording.archive.ledger import (
    Entry,
    Ledger,
    LedgerError,
    canonical,
    line_hash,
    load_or_create_signing_key,
)
from recording.archive.ledger_check import LedgerIntegrityError, check_ledger, verify_ledger

BEIJING = timezone(timedelta(hours=8))


class StepClock:
    """Starts at 09:00 Beijing time and moves a minute per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=BEIJING)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def log(tmp_path: Path) -> Ledger:
    """A log with six entries by one clerk."""
    key = load_or_create_signing_key(tmp_path / "keys" / "clerk.pem")
    ledger = Ledger(tmp_path / "custody.jsonl", key, StepClock())
    for number in range(1, 7):
        ledger.append("张三", "clerk", "seal", {"bag": f"B{number}", "size": number * 1000})
    return ledger


def _lines(ledger: Ledger) -> list[str]:
    return ledger.path.read_text(encoding="utf-8").splitlines(keepends=True)


def _rewrite(ledger: Ledger, lines: list[str]) -> None:
    ledger.path.write_text("".join(lines), encoding="utf-8")


def _kinds(ledger: Ledger, **kwargs: object) -> list[tuple[str, int | None]]:
    return [(p.kind, p.seq) for p in check_ledger(ledger.path, **kwargs).problems]  # type: ignore[arg-type]


def test_entries_are_numbered_timed_chained_and_verify(log: Ledger, tmp_path: Path) -> None:
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].time == "2026-11-22T09:01:00.000+08:00"
    assert entries[0].actor == "张三" and entries[0].details == {"bag": "B1", "size": 1000}
    assert entries[0].prev == "0" * 64
    raw = log.path.read_bytes().splitlines()
    assert entries[3].prev == line_hash(raw[2])
    report = verify_ledger(log.path)
    assert report.ok and report.head_seq == 6 and report.head_hash == line_hash(raw[-1])
    assert len(report.keys) == 1
    assert stat.S_IMODE((tmp_path / "keys" / "clerk.pem").stat().st_mode) == 0o600


def test_a_second_process_with_the_same_key_file_continues_the_chain(
    log: Ledger, tmp_path: Path
) -> None:
    again = Ledger(log.path, load_or_create_signing_key(tmp_path / "keys" / "clerk.pem"))
    entry = again.append("李四", "clerk", "verify", {"disc": "D1"})
    assert entry.seq == 7
    assert verify_ledger(log.path).head_seq == 7


def test_an_altered_entry_is_named(log: Ledger) -> None:
    lines = _lines(log)
    lines[2] = lines[2].replace('"B3"', '"B9"')
    _rewrite(log, lines)
    assert _kinds(log) == [("altered", 3)]
    with pytest.raises(LedgerIntegrityError, match=r"entry 3 \(line 3\) was altered"):
        verify_ledger(log.path)


def test_reformatting_an_entry_counts_as_altering_it(log: Ledger) -> None:
    lines = _lines(log)
    lines[1] = json.dumps(json.loads(lines[1]), indent=None) + "\n"  # spaces after separators
    _rewrite(log, lines)
    assert _kinds(log) == [("altered", 2)]


def test_a_removed_entry_is_named(log: Ledger) -> None:
    lines = _lines(log)
    del lines[3]
    _rewrite(log, lines)
    assert _kinds(log) == [("removed", 4)]


def test_removed_entries_at_the_end_show_only_against_the_recorded_head(log: Ledger) -> None:
    head = check_ledger(log.path)
    _rewrite(log, _lines(log)[:4])
    assert _kinds(log) == []
    assert _kinds(log, expected_head=(head.head_seq, head.head_hash)) == [
        ("removed", 5),
        ("removed", 6),
    ]


def test_an_inserted_forged_entry_is_named(log: Ledger) -> None:
    lines = _lines(log)
    forged = json.loads(lines[2])
    forged["details"] = {"bag": "FAKE"}
    lines.insert(
        3, json.dumps(forged, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    )
    _rewrite(log, lines)
    assert _kinds(log) == [("inserted", 3)]


def test_a_copied_genuine_entry_is_named_as_duplicate(log: Ledger) -> None:
    lines = _lines(log)
    lines.insert(5, lines[1])
    _rewrite(log, lines)
    assert _kinds(log) == [("duplicate", 2)]


def test_swapped_entries_are_named_as_reordered(log: Ledger) -> None:
    lines = _lines(log)
    lines[2], lines[3] = lines[3], lines[2]
    _rewrite(log, lines)
    kinds = _kinds(log)
    assert len(kinds) == 1 and kinds[0][0] == "reordered" and kinds[0][1] in (3, 4)


def test_an_entry_re_signed_with_the_key_breaks_the_chain_after_it(
    log: Ledger, tmp_path: Path
) -> None:
    key = load_or_create_signing_key(tmp_path / "keys" / "clerk.pem")
    lines = _lines(log)
    entry = Entry.from_line(lines[2].rstrip("\n").encode())
    fields = {**entry.unsigned(), "details": {"bag": "B3-REPLACED"}}
    signature = base64.b64encode(key.sign(canonical(fields))).decode()
    lines[2] = Entry(**fields, sig=signature).to_line().decode() + "\n"
    _rewrite(log, lines)
    assert _kinds(log) == [("chain", 4)]


def test_an_entry_signed_by_another_key_is_untrusted(log: Ledger, tmp_path: Path) -> None:
    intruder = Ledger(log.path, load_or_create_signing_key(tmp_path / "other.pem"))
    intruder.append("王五", "clerk", "export", {})
    trusted = {log.entries()[0].public_key}
    assert _kinds(log, trusted_keys=trusted) == [("untrusted", 7)]
    assert len(check_ledger(log.path).keys) == 2


def test_a_line_cut_by_a_crash_is_damaged_and_blocks_appends(log: Ledger) -> None:
    with open(log.path, "ab") as out:
        out.write(b'{"seq": 7, "ti')
    assert _kinds(log) == [("damaged", None)]
    with pytest.raises(LedgerError, match="incomplete"):
        log.append("张三", "clerk", "seal", {})


def test_details_that_json_cannot_hold_are_refused_before_writing(log: Ledger) -> None:
    before = log.path.read_bytes()
    with pytest.raises(TypeError):
        log.append("张三", "clerk", "seal", {"when": datetime.now()})
    assert log.path.read_bytes() == before
