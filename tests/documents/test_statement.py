"""The statement on the recording (同步录音录像相关说明): data, timeline, PDF, QR code."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from files import recording_file
from PIL import Image

from documents.agreement import PleaAgreement
from documents.checks import StatementError
from documents.pdf.statement import render_statement, statement_fields
from documents.samples.case import DEMO_PLACES, demo_agreement, demo_participants
from documents.session_documents import statement_from_timeline, statement_place
from documents.statement import (
    BEIJING,
    CustodyRecord,
    Interruption,
    NoAgreement,
    NoAgreementReason,
    PartyRole,
    RecordingStatement,
)

T0 = datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC)  # 10:00 in Beijing
STATES = ["room_ready", "recording", "announced", "rights_notified", "hearing", "interrupted",
          "hearing", "agreement_presented", "signing", "signed", "closing", "closed"]  # fmt: skip


def timeline(states: list[str], reasons: dict[str, str] | None = None) -> list[dict]:
    reasons = reasons or {}
    return [
        {
            "state": s,
            "step": s,
            "role": "prosecutor",
            "at": (T0 + timedelta(seconds=40 * i)).timestamp(),
            "reason": reasons.get(s, ""),
        }
        for i, s in enumerate(states)
    ]


def run(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


@pytest.fixture(scope="module")
def agreement() -> PleaAgreement:
    return demo_agreement("东滨检刑诉〔2026〕1234号", "S-8", on=date(2026, 11, 22))


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "composite.mkv"
    path.write_bytes(b"\x1aE\xdf\xa3" + bytes(range(256)) * 1000)
    return path


@pytest.fixture(scope="module")
def statement(agreement: PleaAgreement, recording: Path) -> RecordingStatement:
    people = demo_participants(agreement, ["suspect", "prosecutor", "lawyer"], "案", "S-8")
    return statement_from_timeline(
        agreement,
        [recording_file(recording, 440.0)],
        timeline(STATES, {"interrupted": "律师端网络中断"}),
        people,
        signed=True,
        place=statement_place(DEMO_PLACES),
    )


@pytest.fixture(scope="module")
def statement_pdf(statement: RecordingStatement, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "statement.pdf"
    path.write_bytes(render_statement(statement))
    return path


def test_timeline_becomes_times_stops_and_steps(
    statement: RecordingStatement, recording: Path
) -> None:
    assert statement.started_at == T0 + timedelta(seconds=40)  # "recording"
    assert statement.ended_at == T0 + timedelta(seconds=440)  # "closed"
    [stop] = statement.interruptions
    assert stop.reason == "律师端网络中断"
    assert stop.stopped_at == T0 + timedelta(seconds=200)
    assert stop.resumed_at == T0 + timedelta(seconds=240)
    assert [m.state for m in statement.milestones] == STATES
    assert statement.custody == CustodyRecord() and statement.suspect_detained
    [file] = statement.files
    assert file.sha256 == hashlib.sha256(recording.read_bytes()).hexdigest()
    assert file.size_bytes == recording.stat().st_size and file.duration_s == 440.0
    assert statement.agreement_signed and statement.no_agreement is None
    assert RecordingStatement.from_json(statement.to_json()) == statement


def test_the_art_174_path_records_its_reason(
    agreement: PleaAgreement, recording: Path, tmp_path: Path
) -> None:
    states = ["room_ready", "recording", "hearing", "no_agreement_path", "closing", "closed"]
    people = demo_participants(agreement, ["suspect", "prosecutor"], "案", "S-8")
    ground = NoAgreement(NoAgreementReason.MINOR_OBJECTION, "法定代理人王建国当场表示异议。")
    s = statement_from_timeline(
        agreement, [recording_file(recording)], timeline(states), people, signed=False,
        no_agreement=ground, place=statement_place(DEMO_PLACES),
    )  # fmt: skip
    assert s.no_agreement == ground and not s.agreement_signed
    path = tmp_path / "s.pdf"
    path.write_bytes(render_statement(s))
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", path, "-"))
    assert "第一百七十四条第二款" in text and "未签署认罪认罚具结书" in text
    assert NoAgreementReason.MINOR_OBJECTION.label in text and "王建国当场表示异议" in text
    # Without a stated ground, the reason given at the step is kept.
    other = statement_from_timeline(
        agreement, [recording_file(recording)],
        timeline(states, {"no_agreement_path": "犯罪嫌疑人系聋哑人"}), people, signed=False,
        place=statement_place(DEMO_PLACES),
    )  # fmt: skip
    assert other.no_agreement == NoAgreement(NoAgreementReason.OTHER, "犯罪嫌疑人系聋哑人")


def shift(moment: datetime, seconds: int) -> datetime:
    return moment + timedelta(seconds=seconds)


def file(**changes: object):
    return lambda s: {"files": (dataclasses.replace(s.files[0], **changes),)}


def without(role: PartyRole):
    return lambda s: {"participants": tuple(p for p in s.participants if p.role is not role)}


def custody(taken_out: int = -300, returned: int = 120):
    """A custody record ``taken_out`` seconds from the start, ``returned`` from the end."""

    def change(s: RecordingStatement) -> dict:
        out, back = shift(s.started_at, taken_out), shift(s.ended_at, returned)
        return {"custody": CustodyRecord(out, "王建军", back, "李卫东")}

    return change


def stop(at: int, reason: str = "断电", resumed: int | None = None):
    def change(s: RecordingStatement) -> dict:
        back = shift(s.started_at, resumed) if resumed is not None else None
        return {"interruptions": (Interruption(shift(s.started_at, at), reason, back),)}

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: {"ended_at": s.started_at}, "ended_at"),
        (lambda s: {"started_at": s.started_at.replace(tzinfo=None)}, "started_at"),
        (custody(taken_out=1), "custody.taken_out_at"),
        (custody(returned=-1), "custody.returned_at"),
        (lambda s: {"suspect_detained": False, **custody()(s)}, "custody"),
        (lambda s: {"case_type": ""}, "case_type"),
        (lambda s: {"place": "\x07"}, "place"),
        (lambda s: {"files": ()}, "files"),
        (file(sha256="AB" * 32), "files[0].sha256"),
        (file(name="a/b.mkv"), "files[0].name"),
        (file(size_bytes=0), "files[0].size_bytes"),
        (file(duration_s=-1.0), "files[0].duration_s"),
        (stop(0, ""), "interruptions[0].reason"),
        (stop(100_000), "interruptions[0].stopped_at"),
        (stop(9, resumed=0), "interruptions[0].resumed_at"),
        (lambda s: {"no_agreement": NoAgreement(NoAgreementReason.OTHER, "x")}, "no_agreement"),
        (without(PartyRole.SUSPECT), "participants"),
        (without(PartyRole.LAWYER), "participants"),
        (without(PartyRole.TECHNICIAN), "participants"),
    ],
)
def test_invalid_statement_fields_are_named(
    statement: RecordingStatement, change, field: str
) -> None:
    with pytest.raises(StatementError) as err:
        dataclasses.replace(statement, **change(statement))
    assert err.value.field == field


def test_the_technician_cannot_be_the_prosecutor(statement: RecordingStatement) -> None:
    prosecutor = next(p for p in statement.participants if p.role is PartyRole.PROSECUTOR)
    people = tuple(
        dataclasses.replace(p, name=prosecutor.name) if p.role is PartyRole.TECHNICIAN else p
        for p in statement.participants
    )
    with pytest.raises(StatementError, match="审录分离") as err:
        dataclasses.replace(statement, participants=people)
    assert err.value.field.startswith("participants[")
    with pytest.raises(StatementError) as err:
        NoAgreement(NoAgreementReason.DISABILITY, " ")
    assert err.value.field == "outcome.no_agreement.details"


def test_statement_pdf_carries_the_hash_times_and_people(
    statement: RecordingStatement, statement_pdf: Path
) -> None:
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", statement_pdf, "-"))
    assert "同步录音录像相关说明" in text
    assert f"SHA-256:{statement.files[0].sha256}" in text
    assert "2026年11月22日10:00:40（北京时间）" in text  # recording started, Beijing time
    assert "律师端网络中断" in text and "2026年11月22日10:04:00" in text
    assert "录制时长6分40秒" in text and "提押时间" in text and "还押时间" in text
    for person in statement.participants:
        assert person.name in text and person.role.label in text
    assert "上列录音录像文件的完整性校验值（SHA-256）已经各方核对无误" in text
    emb = {row.split()[-5] for row in run("pdffonts", statement_pdf).splitlines()[2:]}
    assert emb == {"yes"}


def test_the_qr_code_reads_back_the_session_and_the_hash(
    statement: RecordingStatement, statement_pdf: Path, tmp_path: Path
) -> None:
    run("pdftoppm", "-r", "110", "-png", statement_pdf, tmp_path / "page")
    found = []
    for page in sorted(tmp_path.glob("page-*.png")):
        image = np.asarray(Image.open(page).convert("L"))
        value, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
        found.append(value)
    assert statement.qr_payload in found
    assert statement.files[0].sha256 in statement.qr_payload and "S-8" in statement.qr_payload


def test_english_rendering_and_fields(statement: RecordingStatement, tmp_path: Path) -> None:
    path = tmp_path / "statement.en.pdf"
    path.write_bytes(render_statement(statement, english=True))
    text = " ".join(run("pdftotext", "-enc", "UTF-8", path, "-").split())
    assert "Statement on the Recording" in text and "Beijing time" in text
    assert "Recording technician" in text and statement.files[0].sha256 in text.replace(" ", "")
    assert statement_fields(statement) == [
        "Procuratorate", "Technician", "Prosecutor", "Suspect", "CustodyOfficer",
    ]  # fmt: skip


def test_custody_record_checks_its_own_order(statement: RecordingStatement) -> None:
    out = statement.started_at - timedelta(minutes=5)
    for record, field in (
        (lambda: CustodyRecord(out.replace(tzinfo=None)), "custody.taken_out_at"),
        (lambda: CustodyRecord(None, "王建军"), "custody.taken_out_by"),
        (lambda: CustodyRecord(None, "", statement.ended_at), "custody.returned_at"),
        (lambda: CustodyRecord(out, "", out - timedelta(seconds=1)), "custody.returned_at"),
        (lambda: CustodyRecord(out, "", None, "李卫东"), "custody.returned_by"),
        (lambda: CustodyRecord(out, "民警\n甲"), "custody.taken_out_by"),
    ):
        with pytest.raises(StatementError) as err:
            record()
        assert err.value.field == field
    # The record keeps whole seconds: a return in the second the recording ended is no error.
    end = statement.ended_at + timedelta(milliseconds=400)
    back = CustodyRecord(out, "", statement.ended_at)  # 10:07:20, recording ended 10:07:20.4
    assert dataclasses.replace(statement, ended_at=end, custody=back).custody == back


def test_local_custody_times_are_beijing_time() -> None:
    record = CustodyRecord.from_local(
        datetime(2026, 11, 22, 9, 55, 12), "王建军", datetime(2026, 11, 22, 10, 20), "李卫东"
    )
    assert record.taken_out_at == datetime(2026, 11, 22, 1, 55, 12, tzinfo=UTC)
    assert record.taken_out_at.tzinfo is BEIJING and record.returned_by == "李卫东"
    assert CustodyRecord.from_local(None, "", None, "") == CustodyRecord()


def test_registered_custody_times_and_officers_are_printed(
    statement: RecordingStatement, tmp_path: Path
) -> None:
    s = dataclasses.replace(statement, **custody(taken_out=-75, returned=95)(statement))
    assert RecordingStatement.from_json(s.to_json()) == s
    path = tmp_path / "s.pdf"
    path.write_bytes(render_statement(s))
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", path, "-"))
    # Recording 10:00:40 to 10:07:20 Beijing time; 提押 75 s before, 还押 95 s after.
    assert "提押时间2026年11月22日09:59:25（北京时间），经办民警：王建军" in text
    assert "还押时间2026年11月22日10:08:55（北京时间），经办民警：李卫东" in text
    assert "未登记" not in text


def test_unregistered_custody_times_say_so(statement: RecordingStatement, tmp_path: Path) -> None:
    path = tmp_path / "s.pdf"
    path.write_bytes(render_statement(statement))
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", path, "-"))
    assert "提押时间未登记" in text and "还押时间未登记" in text
    english = tmp_path / "s.en.pdf"
    english.write_bytes(render_statement(statement, english=True))
    text = " ".join(run("pdftotext", "-enc", "UTF-8", english, "-").split())
    assert "Taken out of custody not registered" in text


def test_a_suspect_not_in_custody_has_no_custody_times(
    statement: RecordingStatement, tmp_path: Path
) -> None:
    people = tuple(p for p in statement.participants if p.role is not PartyRole.CUSTODY_OFFICER)
    s = dataclasses.replace(statement, suspect_detained=False, participants=people)
    path = tmp_path / "s.pdf"
    path.write_bytes(render_statement(s))
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", path, "-"))
    assert "提押时间不适用（犯罪嫌疑人未被羁押）" in text and "看守所民警（签名）" not in text
    assert "CustodyOfficer" not in statement_fields(s)
