"""The documents of a finished session, made as the demo makes them, checked by pdfsig too."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from documents.agreement import demo_agreement
from documents.session_documents import (
    SessionDocuments,
    SessionDocumentsError,
    make_session_documents,
)
from documents.synthetic import synthetic_fingerprint, synthetic_signature

CASE = "京朝检刑认〔2026〕1号"
SESSION = "2f1c4e8a-2b7d-4c55-9d1e-7e3b1c0a9f42"
T0 = datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC)
STATES = ["room_ready", "recording", "announced", "rights_notified", "hearing",
          "agreement_presented", "signing", "signed", "closing", "closed"]  # fmt: skip


def clock() -> datetime:
    return T0 + timedelta(minutes=10)


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60).stdout


def make(
    tmp: Path, pki: Path, language: str, states: list[str] = STATES, **options: object
) -> SessionDocuments:
    recording = tmp / "session.mkv"
    recording.write_bytes(b"\x1aE\xdf\xa3" + b"composite recording" * 5000)
    agreement = demo_agreement(CASE, SESSION, on=T0.date(), language=language)
    timeline = [
        {"state": s, "step": s, "role": "hub", "at": T0.timestamp() + 30 * i, "reason": ""}
        for i, s in enumerate(states)
    ]
    signatures = {
        "suspect": synthetic_signature("suspect", agreement.suspect.name, 5).to_json(),
        "lawyer": synthetic_signature("lawyer", agreement.lawyer.name, 4).to_json(),
    }
    return make_session_documents(
        tmp / "out",
        case_number=CASE,
        session_id=SESSION,
        recordings=[recording],
        timeline=timeline,
        signatures=signatures,
        parties=["suspect", "prosecutor", "lawyer"],
        pki_dir=pki,
        agreement=agreement,
        fingerprint=synthetic_fingerprint(2),
        durations={"session.mkv": 270.0},
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """One demo CA (and TSA key, slow to make) for all tests here."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory, pki: Path) -> SessionDocuments:
    return make(tmp_path_factory.mktemp("zh"), pki, "zh")


def test_summary_names_every_document_and_the_recording_hash(chinese: SessionDocuments) -> None:
    summary = chinese.summary()
    assert Path(summary["recording_statement_pdf"]).is_file()
    assert Path(summary["agreement_pdf"]).is_file() and Path(summary["rights_notice_pdf"]).is_file()
    recording = Path(summary["recording_statement_pdf"]).parent.parent / "session.mkv"
    assert summary["recording_sha256"] == hashlib.sha256(recording.read_bytes()).hexdigest()
    assert summary["english_pdfs"] == []


def test_statement_text_carries_the_recording_hash(chinese: SessionDocuments) -> None:
    text = re.sub(
        r"\s+", "", run("pdftotext", "-enc", "UTF-8", chinese.recording_statement_pdf, "-")
    )
    assert chinese.recording_sha256 in text
    assert "犯罪嫌疑人在值班律师在场的情况下签署了《认罪认罚具结书》" in text


def test_every_signature_is_valid_for_pyhanko_and_pdfsig(chinese: SessionDocuments) -> None:
    expected = {
        "agreement.pdf": ["Procuratorate", "Suspect", "Lawyer", "Prosecutor"],
        "rights-notice.pdf": ["Procuratorate", "Prosecutor"],
        "recording-statement.pdf": ["Procuratorate", "Technician", "Prosecutor"],
    }
    assert {name: [c.field for c in checks] for name, checks in chinese.checks.items()} == expected
    for name, checks in chinese.checks.items():
        assert all(c.ok and c.timestamp_ok and c.docmdp_ok for c in checks), name
        assert all(c.signing_time == clock() and c.timestamp == clock() for c in checks)
        out = run("pdfsig", chinese.recording_statement_pdf.parent / name)
        assert out.count("Signature is Valid.") == len(expected[name]), out
        fonts = run("pdffonts", chinese.recording_statement_pdf.parent / name).splitlines()[2:]
        assert {row.split()[-5] for row in fonts} == {"yes"}


def test_a_foreign_language_session_gets_english_renderings(tmp_path: Path, pki: Path) -> None:
    docs = make(tmp_path, pki, "en", lawyer_has_certificate=False)
    names = [p.name for p in docs.english_pdfs]
    assert names == ["agreement.en.pdf", "rights-notice.en.pdf", "recording-statement.en.pdf"]
    for path in docs.english_pdfs:
        assert "Signature is Valid." in run("pdfsig", path)
        assert "English rendering" in run("pdftotext", "-enc", "UTF-8", path, "-")
    # This lawyer has no certificate: the lawyer station signs on the lawyer's behalf.
    lawyer = next(c for c in docs.checks["agreement.pdf"] if c.field == "Lawyer")
    name = demo_agreement(CASE, SESSION, on=T0.date(), language="en").lawyer.name
    assert lawyer.ok and lawyer.signer == "值班律师工作站" and lawyer.person == name
    assert "由律师工作站代为加签" in lawyer.reason


def test_without_signatures_there_is_no_agreement_but_a_statement(
    tmp_path: Path, pki: Path
) -> None:
    states = ["room_ready", "recording", "hearing", "no_agreement_path", "closing", "closed"]
    docs = make(tmp_path, pki, "zh", states)
    assert docs.agreement_pdf is None and docs.summary()["agreement_pdf"] is None
    text = re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", docs.recording_statement_pdf, "-"))
    assert "未签署认罪认罚具结书" in text


def test_no_recording_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SessionDocumentsError, match="No recording"):
        make_session_documents(
            tmp_path, case_number=CASE, session_id=SESSION, recordings=[], timeline=[],
            signatures={}, parties=[], pki_dir=tmp_path / "pki",
        )  # fmt: skip
