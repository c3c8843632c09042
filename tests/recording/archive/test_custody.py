"""The custody log of the archive, and the clerk's queue folded from it."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from recording.archive.custody import CustodyLog
from recording.archive.ledger import LedgerError
from recording.archive.ledger_check import verify_ledger
from recording.archive.queue import (
    QueueState,
    SessionFolderError,
    find_finished_sessions,
    read_finished_session,
)

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def custody(tmp_path: Path) -> CustodyLog:
    """A custody log written by clerk 张三 at fixed times."""
    moment = [datetime(2026, 11, 22, 17, 0, tzinfo=BEIJING)]

    def now() -> datetime:
        moment[0] += timedelta(minutes=1)
        return moment[0]

    return CustodyLog(tmp_path / "custody.jsonl", tmp_path / "clerk.pem", "张三", now)


def _session(folder: Path, session_id: str, case: str, **extra: object) -> Path:
    folder.mkdir(parents=True)
    (folder / "composite.mkv").write_bytes(os.urandom(1000))
    summary = {"session_id": session_id, "case_number": case, "recording": "composite.mkv", **extra}
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
    return folder


def test_entries_are_signed_by_the_clerk_and_verify(custody: CustodyLog) -> None:
    custody.record(
        "seal",
        ok=True,
        bag_id="B1",
        session_id="s1",
        case_number="c",
        bytes=10,
        manifest_sha256="ab" * 32,
    )
    custody.record("decrypt", ok=True, sources=["x.iso"], destination="/tmp/out", files=[])
    entries = custody.entries()
    assert [(e.seq, e.actor, e.role, e.event) for e in entries] == [
        (1, "张三", "evidence clerk", "seal"),
        (2, "张三", "evidence clerk", "decrypt"),
    ]
    assert entries[0].time == "2026-11-22T17:01:00.000+08:00"
    assert verify_ledger(custody.path).ok


def test_unknown_events_and_anonymous_clerks_are_refused(custody: CustodyLog, tmp_path) -> None:
    with pytest.raises(LedgerError, match="not a custody event"):
        custody.record("delete", bag_id="B1")
    with pytest.raises(LedgerError, match="clerk's name"):
        CustodyLog(tmp_path / "other.jsonl", tmp_path / "clerk.pem", "  ")
    assert custody.entries() == []


def test_the_queue_follows_seal_plan_burn_and_verify(custody: CustodyLog, tmp_path) -> None:
    sessions = [
        read_finished_session(_session(tmp_path / "a", "s-1", "案1")),
        read_finished_session(_session(tmp_path / "b", "s-2", "案2")),
    ]
    state = QueueState.from_entries(custody.entries())
    assert [s.session_id for s in state.sessions_to_seal(sessions)] == ["s-1", "s-2"]
    for number, session in enumerate(sessions, start=1):
        custody.record(
            "seal",
            ok=True,
            bag_id=f"B{number}",
            session_id=session.session_id,
            case_number=session.case_number,
            bytes=100,
            manifest_sha256=f"{number}" * 64,
        )
    custody.record("seal", ok=False, session_id="s-3", error="disk full")
    state = QueueState.from_entries(custody.entries())
    assert state.sessions_to_seal(sessions) == []
    assert [b.bag_id for b in state.bags_to_plan()] == ["B1", "B2"]
    custody.record(
        "plan",
        plan_id="P1",
        media="dvd",
        mode="case",
        plan_sha256="0" * 64,
        discs=[
            {"disc_id": "D1", "parts": ["B1-part1of2"], "bags": ["B1"]},
            {"disc_id": "D2", "parts": ["B1-part2of2", "B2"], "bags": ["B1", "B2"]},
        ],
    )
    state = QueueState.from_entries(custody.entries())
    assert state.bags_to_plan() == []
    assert [d.disc_id for d in state.discs_to_burn()] == ["D1", "D2"]
    custody.record(
        "burn", ok=True, disc_id="D1", copy="A", target="t", manifests={"B1-part1of2": "c" * 64}
    )
    custody.record("verify", ok=True, disc_id="D1", copy="A", target="t")
    custody.record("burn", ok=True, disc_id="D1", copy="B", target="t", manifests={})
    custody.record("verify", ok=False, disc_id="D1", copy="B", target="t", problems=["x"])
    state = QueueState.from_entries(custody.entries())
    assert dict(state.discs["D1"].copies) == {"A": "verified", "B": "failed"}
    custody.record("burn", ok=True, disc_id="D1", copy="B", target="t2", manifests={})
    custody.record("verify", ok=True, disc_id="D1", copy="B", target="t2")
    state = QueueState.from_entries(custody.entries())
    assert [d.disc_id for d in state.discs_to_burn()] == ["D2"]
    assert state.manifest_for("B2") == "2" * 64
    assert state.manifest_for("B1-part1of2") == "c" * 64
    assert state.manifest_for("B9") is None


def test_session_folders_are_read_with_every_evidence_file(tmp_path: Path) -> None:
    folder = _session(
        tmp_path / "day" / "one",
        "3f2a9c1d-aaaa-4bbb-8ccc-000000000001",
        "京朝检刑认〔2026〕5号",
        agreement_pdf="agreement.pdf",
        rights_notice_pdf=str(tmp_path / "day" / "one" / "rights-notice.pdf"),
        english_pdfs=["en/agreement.pdf"],
        party_recordings={"suspect": "parties/suspect.mkv", "lawyer": "parties/lawyer.mkv"},
        audit_log="audit.jsonl",
        timeline=[{"at": 1795400000.0}, {"at": 1795401800.0}],
    )
    (folder / "parties").mkdir()
    (folder / "en").mkdir()
    for name in (
        "agreement.pdf",
        "rights-notice.pdf",
        "en/agreement.pdf",
        "parties/suspect.mkv",
        "parties/lawyer.mkv",
        "audit.jsonl",
    ):
        (folder / name).write_bytes(b"x")
    _session(tmp_path / "day" / "no-agreement", "s-3", "案3", agreement_pdf=None)
    _session(tmp_path / "day" / "broken", "s-2", "案2", agreement_pdf="missing.pdf")
    sessions, problems = find_finished_sessions(tmp_path / "day")
    no_agreement = tmp_path / "day" / "no-agreement"
    assert [dict(s.payload) for s in sessions] == [
        {
            "recording/composite.mkv": no_agreement / "composite.mkv",
            "logs/summary.json": no_agreement / "summary.json",
        },
        {
            "recording/composite.mkv": folder / "composite.mkv",
            "recording/parties/suspect.mkv": folder / "parties/suspect.mkv",
            "recording/parties/lawyer.mkv": folder / "parties/lawyer.mkv",
            "documents/agreement.pdf": folder / "agreement.pdf",
            "documents/rights-notice.pdf": folder / "rights-notice.pdf",
            "documents/english/agreement.pdf": folder / "en/agreement.pdf",
            "logs/audit.jsonl": folder / "audit.jsonl",
            "logs/summary.json": folder / "summary.json",
        },
    ]
    assert sessions[1].bag_id.startswith("S2026112") and sessions[1].bag_id.endswith("3f2a9c1daaaa")
    assert len(problems) == 1 and "missing.pdf" in problems[0][1]


def test_a_folder_without_a_readable_summary_is_explained(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SessionFolderError, match="not a finished session"):
        read_finished_session(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "summary.json").write_text("{not json")
    with pytest.raises(SessionFolderError, match="cannot be read"):
        read_finished_session(tmp_path / "bad")
