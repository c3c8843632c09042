"""The documents of a finished session, made as the demo makes them, checked by pdfsig too."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from files import recording_file

from documents.samples.case import DEMO_PLACES, demo_agreement, demo_participants, demo_staff
from documents.samples.handwriting import synthetic_fingerprint, synthetic_signature
from documents.session_documents import (
    SessionDocuments,
    SessionDocumentsError,
    make_session_documents,
)
from documents.statement import CustodyRecord

CASE = "京朝检刑认〔2026〕1号"
SESSION = "2f1c4e8a-2b7d-4c55-9d1e-7e3b1c0a9f42"
PARTIES = ["suspect", "prosecutor", "lawyer"]
T0 = datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC)
STATES = ["room_ready", "recording", "announced", "rights_notified", "hearing",
          "agreement_presented", "signing", "signed", "closing", "closed"]  # fmt: skip
#: As the detention centre registered it: out 2 min before the session, back after it closed.
CUSTODY = CustodyRecord(T0 - timedelta(minutes=2), "王建军", T0 + timedelta(seconds=330), "李卫东")


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
        recordings=[recording_file(recording, 270.0)],
        timeline=timeline,
        signatures=signatures,
        agreement=agreement,
        participants=demo_participants(
            agreement, ["suspect", "prosecutor", "lawyer"], CASE, SESSION
        ),
        places=DEMO_PLACES,
        pki_dir=pki,
        fingerprint=synthetic_fingerprint(2),
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """One demo CA (and TSA key, slow to make) for all tests here."""
    return tmp_path_factory.mktemp("pki")


def suspect_hand(seed: int) -> dict:
    """The demo suspect's handwriting, as given at the detention centre's terminal."""
    name = demo_agreement(CASE, SESSION, on=T0.date()).suspect.name
    return synthetic_signature("suspect", name, seed).to_json()


@pytest.fixture(scope="module")
def chinese(tmp_path_factory, pki: Path) -> SessionDocuments:
    return make(
        tmp_path_factory.mktemp("zh"),
        pki,
        "zh",
        custody=CUSTODY,
        notice_handwriting=suspect_hand(6),
        statement_handwriting=suspect_hand(7),
    )


@pytest.fixture(scope="module")
def unregistered(tmp_path_factory, pki: Path) -> SessionDocuments:
    """A session the detention centre registered no 提押/还押 for, the suspect signing only
    the agreement."""
    return make(tmp_path_factory.mktemp("none"), pki, "zh")


def text_of(pdf: Path) -> str:
    return re.sub(r"\s+", "", run("pdftotext", "-enc", "UTF-8", pdf, "-"))


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


def test_every_field_is_signed_and_valid_for_pyhanko_and_pdfsig(chinese: SessionDocuments) -> None:
    expected = {
        "agreement.pdf": ["Procuratorate", "Suspect", "Lawyer", "Prosecutor"],
        "rights-notice.pdf": ["Procuratorate", "Suspect", "Prosecutor"],
        "recording-statement.pdf": [
            "Procuratorate", "Technician", "Prosecutor", "Suspect", "CustodyOfficer",
        ],
    }  # fmt: skip
    assert {name: [c.field for c in checks] for name, checks in chinese.checks.items()} == expected
    for name, checks in chinese.checks.items():
        assert all(c.ok and c.timestamp_ok and c.docmdp_ok for c in checks), name
        assert all(c.signing_time == clock() and c.timestamp == clock() for c in checks)
        out = run("pdfsig", chinese.recording_statement_pdf.parent / name)
        # pdfsig lists unsigned fields too, without a verdict: every field has one.
        assert out.count("Signature Field Name:") == len(expected[name]), out
        assert out.count("Signature is Valid.") == len(expected[name]), out
        fonts = run("pdffonts", chinese.recording_statement_pdf.parent / name).splitlines()[2:]
        assert {row.split()[-5] for row in fonts} == {"yes"}


def test_the_notice_carries_the_suspects_acknowledgement(chinese: SessionDocuments) -> None:
    agreement = demo_agreement(CASE, SESSION, on=T0.date())
    suspect = next(c for c in chinese.checks["rights-notice.pdf"] if c.field == "Suspect")
    assert suspect.ok and suspect.person == agreement.suspect.name
    assert suspect.signer == "东湖市滨江区看守所远程签署终端" and "告知书" in suspect.reason
    statement = next(c for c in chinese.checks["recording-statement.pdf"] if c.field == "Suspect")
    assert statement.ok and statement.person == agreement.suspect.name


def test_the_statement_states_the_registered_custody_times_and_officer(
    chinese: SessionDocuments,
) -> None:
    text = text_of(chinese.recording_statement_pdf)
    assert "提押时间2026年11月22日09:58:00（北京时间），经办民警：王建军" in text
    assert "还押时间2026年11月22日10:05:30（北京时间），经办民警：李卫东" in text
    assert "未登记" not in text
    # The officer who brought the suspect in is the one listed, and signs with a certificate.
    assert "看守所民警王建军" in text
    officer = next(
        c for c in chinese.checks["recording-statement.pdf"] if c.field == "CustodyOfficer"
    )
    assert officer.ok and officer.person == officer.signer == "王建军"
    assert "提押" in officer.reason


def test_without_a_custody_record_the_statement_says_none_was_registered(
    unregistered: SessionDocuments,
) -> None:
    text = text_of(unregistered.recording_statement_pdf)
    assert "提押时间未登记" in text and "还押时间未登记" in text
    roster = demo_staff(CASE, SESSION)["custody_officer"]
    officer = next(
        c for c in unregistered.checks["recording-statement.pdf"] if c.field == "CustodyOfficer"
    )
    assert officer.ok and officer.person == roster
    # Without handwriting given on them, the suspect's fields stay for signing on paper.
    assert [c.field for c in unregistered.checks["rights-notice.pdf"]] == [
        "Procuratorate", "Prosecutor",
    ]  # fmt: skip
    out = run("pdfsig", unregistered.rights_notice_pdf)
    assert out.count("Signature Field Name:") == 3 and out.count("Signature is Valid.") == 2


def test_a_custody_record_that_contradicts_the_recording_is_refused(
    tmp_path: Path, pki: Path
) -> None:
    late = CustodyRecord(T0 + timedelta(minutes=1), "王建军")  # after recording began
    with pytest.raises(SessionDocumentsError, match="提押"):
        make(tmp_path, pki, "zh", custody=late)
    assert not (tmp_path / "out" / "recording-statement.pdf").exists()


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
    agreement = demo_agreement(CASE, SESSION, on=T0.date())
    with pytest.raises(SessionDocumentsError, match="No recording"):
        make_session_documents(
            tmp_path, recordings=[], timeline=[], signatures={}, agreement=agreement,
            participants=[], places=DEMO_PLACES, pki_dir=tmp_path / "pki",
        )  # fmt: skip
