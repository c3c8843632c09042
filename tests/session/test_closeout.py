"""The close-out: a closed session's documents and sealed archive, from the hub's own records."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from documents.samples.case import DEMO_PLACES, demo_agreement, demo_participants
from recording.archive.age_keys import load_or_create_identity
from session.clock import HubClock
from session.closeout import CaseFacts, CloseOutError, CloseOutKeys, HubRecords, close_out
from session.hub.store import Store
from session.machine import REQUIRED_ROLES, State, StateChanged, Step

CASE = "京朝检刑认〔2026〕7号"
#: A session that ends on the art. 174 path: nobody signs, the statement says why.
DECLINED = [
    (State.SCHEDULED, State.ROOM_READY, Step.ROOM_READY, ""),
    (State.ROOM_READY, State.RECORDING, Step.START_RECORDING, ""),
    (State.RECORDING, State.ANNOUNCED, Step.ANNOUNCE, ""),
    (State.ANNOUNCED, State.RIGHTS_NOTIFIED, Step.NOTIFY_RIGHTS, ""),
    (State.RIGHTS_NOTIFIED, State.HEARING, Step.BEGIN_HEARING, ""),
    (State.HEARING, State.NO_AGREEMENT_PATH, Step.DECLINE_AGREEMENT, "犯罪嫌疑人对量刑建议有异议"),
    (State.NO_AGREEMENT_PATH, State.CLOSING, Step.CLOSE, ""),
    (State.CLOSING, State.CLOSED, Step.FINISH, ""),
]


def hub_records(
    tmp_path: Path, steps: list[tuple[State, State, Step, str]]
) -> tuple[HubRecords, str]:
    """A hub's folder holding one session that went through ``steps``, with a 3 s recording."""
    store = Store(tmp_path / "hub.sqlite3")
    session_id = store.create_session(CASE, 0.0, REQUIRED_ROLES, False)
    for at, (previous, state, step, reason) in enumerate(steps):
        store.add_state_change(
            session_id, StateChanged(previous, state, step, "prosecutor", 10.0 * at, reason)
        )
    store.close()
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
         "-f", "lavfi", "-i", "sine=duration=3", "-c:v", "libx264", "-c:a", "aac",
         str(recordings / f"{session_id}.mkv")],
        check=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / f"{session_id}.audit.jsonl").write_text('{"seq": 0}\n')
    return HubRecords(
        tmp_path / "hub.sqlite3", recordings, tmp_path / "audit", HubClock(epoch=1.8e9)
    ), session_id


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pki")


def facts(session_id: str) -> CaseFacts:
    agreement = demo_agreement(CASE, session_id)
    return CaseFacts(
        agreement, demo_participants(agreement, REQUIRED_ROLES, CASE, session_id), DEMO_PLACES
    )


def test_a_declined_session_gets_its_statement_and_archive_but_no_agreement(tmp_path, pki):
    records, session_id = hub_records(tmp_path, DECLINED)
    key_file = tmp_path / "identity.txt"
    identity = load_or_create_identity(key_file)
    out = tmp_path / "out"
    summary = close_out(
        session_id, records, facts(session_id), CloseOutKeys(pki, [identity.recipient]), out
    )
    assert json.loads((out / "summary.json").read_text()) == summary
    assert summary["agreement_pdf"] is None
    assert summary["states"][-3:] == ["no_agreement_path", "closing", "closed"]
    assert summary["timeline"][0]["at"] == 1.8e9 and 2.9 <= summary["duration_s"] <= 3.1
    text = (
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", summary["recording_statement_pdf"], "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.replace(" ", "")
        .replace("\n", "")
    )
    assert "未签署认罪认罚具结书" in text and "犯罪嫌疑人对量刑建议有异议" in text
    sealed = sorted(p.relative_to(Path(summary["archive_bag"]) / "data").as_posix()
                    for p in (Path(summary["archive_bag"]) / "data").rglob("*.age"))  # fmt: skip
    assert sealed == [
        "documents/recording-statement.pdf.age", "documents/rights-notice.pdf.age",
        f"logs/{session_id}.audit.jsonl.age", "plaintext-sha256.json.age",
        f"recording/{session_id}.mkv.age",
    ]  # fmt: skip
    # The standard age tool opens the sealed recording: the very bytes recorded.
    opened = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(Path(summary["archive_bag"]) / "data" / sealed[-1])],
        capture_output=True,
        check=True,
    ).stdout
    assert opened == (records.recordings / f"{session_id}.mkv").read_bytes()


def test_a_session_not_yet_closed_is_refused_and_nothing_is_made(tmp_path, pki):
    records, session_id = hub_records(tmp_path, DECLINED[:5])
    out = tmp_path / "out"
    with pytest.raises(CloseOutError, match="not closed"):
        close_out(session_id, records, facts(session_id), CloseOutKeys(pki, []), out)
    assert not out.exists()


def test_a_session_without_its_recording_is_refused(tmp_path, pki):
    records, session_id = hub_records(tmp_path, DECLINED)
    (records.recordings / f"{session_id}.mkv").unlink()
    with pytest.raises(CloseOutError, match="no recording"):
        close_out(session_id, records, facts(session_id), CloseOutKeys(pki, []), tmp_path / "out")
    assert not (tmp_path / "out").exists()
