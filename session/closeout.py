"""The close-out of a finished session: its documents made and signed, its evidence sealed.

:func:`close_out` takes a session the hub has closed — its state changes and signatures from
the hub's store, its recording and presented agreement from the hub's recordings folder, its
audit trail, and the 提押/还押 record the schedule keeps — and makes, in ``out``:

- ``documents/``: the signed agreement (the presented PDF with the parties' signatures added,
  when the session was signed), the rights notice and the recording statement, every
  signature checked (``documents.session_documents``);
- ``archive/``: the sealed, encrypted BagIt bag of the recording, the documents and the audit
  trail, and its disc image (``recording.archive.seal``);
- ``summary.json``: where each of these is, and what the session was.

What the hub does not keep (the case as the procuratorate drafted it, who sat where, the
suspect's acknowledgements at the terminal) comes in :class:`CaseFacts`; keys and archive
recipients in :class:`CloseOutKeys`. Blocking: run it off the event loop.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from documents.agreement import PleaAgreement
from documents.fingerprint import Fingerprint
from documents.session_documents import SessionDocuments, make_session_documents
from documents.statement import CustodyRecord, Participant, RecordingFile
from recording.archive.bag import hash_file
from recording.archive.seal import SealedArchive, seal_session
from recording.recorder.segments import last_media_time, segment_path
from session.clock import HubClock
from session.hub.files import agreement_file, recording_file
from session.hub.store import Store
from session.machine import State
from session.scheduling.store import custody_times

#: A step of the close-out runs inside ``stage(name)``: a caller may time it or show it.
Stage = Callable[[str], AbstractContextManager[Any]]


class CloseOutError(RuntimeError):
    """The session cannot be closed out; the message says why, for the clerk."""


@dataclass(frozen=True)
class HubRecords:
    """Where a hub keeps what its sessions leave: the database (sessions, state changes,
    signatures, and the schedule's 提押/还押 record), the recordings folder, the audit trail's
    folder, and the session clock, which turns stored session times into Unix times."""

    database: Path
    recordings: Path
    audit: Path
    clock: HubClock


@dataclass(frozen=True)
class CaseFacts:
    """What the hub does not keep: the agreement as data (for the statement and the notice),
    who took part with their posts and rooms, the room of each role, and the suspect's
    handwriting and fingerprint given at the terminal for the notice and the statement."""

    agreement: PleaAgreement
    participants: Sequence[Participant]
    places: Mapping[str, str]
    notice_handwriting: Mapping[str, Any] | None = None
    statement_handwriting: Mapping[str, Any] | None = None
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True)
class CloseOutKeys:
    """The signing keys' folder, and the age recipients the archive is encrypted to (with the
    file holding their identity, when this machine has it, for the summary to point at)."""

    pki_dir: Path
    archive_recipients: Sequence[str]
    archive_identity: Path | None = None


def close_out(
    session_id: str,
    hub: HubRecords,
    facts: CaseFacts,
    keys: CloseOutKeys,
    out: Path,
    *,
    stage: Stage = lambda _name: contextlib.nullcontext(),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Close out ``session_id`` into ``out``; return the summary written to
    ``out/summary.json``, with ``extra``'s keys added (read when it is written, after every
    step). Raises :class:`CloseOutError` for a session that is not closed or has no recording.
    """
    session = _finished_session(hub, session_id)
    segments = _segments(hub.recordings, session_id)
    with stage("documents"):
        files = [_recording_file(path) for path in segments]
        presented = agreement_file(hub.recordings, session_id)
        docs = make_session_documents(
            out / "documents",
            recordings=files,
            timeline=session.timeline,
            signatures=session.signatures,
            agreement=facts.agreement,
            participants=facts.participants,
            places=facts.places,
            pki_dir=keys.pki_dir,
            custody=session.custody,
            presented=presented.read_bytes() if presented.is_file() else None,
            notice_handwriting=facts.notice_handwriting,
            statement_handwriting=facts.statement_handwriting,
            fingerprint=facts.fingerprint,
        )
    audit_log = hub.audit / f"{session_id}.audit.jsonl"
    with stage("archive"):
        sealed = _seal(session, segments, docs, audit_log, keys, out / "archive")
    summary = {
        "session_id": session_id,
        "case_number": session.case_number,
        "recording": str(segments[0]),
        **docs.summary(),
        "archive_bag": str(sealed.bag_dir),
        "disc_image": str(sealed.disc_image),
        "archive_identity": str(keys.archive_identity) if keys.archive_identity else None,
        "audit_log": str(audit_log),
        "parties": list(session.parties),
        "custody": session.custody.to_json() if session.custody else None,
        "states": session.states,
        "timeline": session.timeline,
        "duration_s": round(sum(f.duration_s or 0.0 for f in files), 3),
        **(extra or {}),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


@dataclass(frozen=True)
class _Finished:
    """A closed session as the hub stored it; times in the timeline are Unix times."""

    id: str
    case_number: str
    parties: tuple[str, ...]
    states: list[str]
    timeline: list[dict[str, Any]]
    signatures: dict[str, dict[str, Any]]
    custody: CustodyRecord | None


def _finished_session(hub: HubRecords, session_id: str) -> _Finished:
    store = Store(hub.database)
    try:
        record = store.session(session_id)
        if record is None:
            raise CloseOutError(f"会话 {session_id} 不存在 / no session {session_id} in the hub")
        if record.state != State.CLOSED.value:
            raise CloseOutError(
                f"会话尚未结束（{record.state}）/ the session is not closed yet ({record.state})"
            )
        changes = store.state_changes(session_id)
        signatures = store.signatures(session_id)
    finally:
        store.close()
    timeline = [
        {
            "state": c["state"],
            "step": c["step"],
            "role": c["role"],
            "at": round(hub.clock.wall(c["at"]), 3),
            "reason": c["reason"],
        }
        for c in changes
    ]
    return _Finished(
        session_id,
        record.case_number,
        tuple(record.parties),
        [State.SCHEDULED.value] + [c["state"] for c in changes],
        timeline,
        signatures,
        custody_record(hub.database, session_id),
    )


def custody_record(database: Path, session_id: str) -> CustodyRecord | None:
    """The 提押/还押 record of hub session ``session_id`` for its statement, as detention staff
    registered it in the schedule; None if the session was not booked through it."""
    times = custody_times(database, session_id)
    if times is None:
        return None
    return CustodyRecord.from_local(
        times.taken_out_at, times.taken_out_by, times.returned_at, times.returned_by
    )


def _segments(recordings: Path, session_id: str) -> list[Path]:
    """The composite recording's files, in order."""
    base = recording_file(recordings, session_id)
    found: list[Path] = []
    while (path := segment_path(base, len(found))).is_file():
        found.append(path)
    if not found:
        raise CloseOutError(f"会话没有录像文件 / the session has no recording ({base.name})")
    return found


def _recording_file(path: Path) -> RecordingFile:
    """``path`` as the statement lists it: hashed, measured, and how long it plays."""
    return RecordingFile(path.name, hash_file(path), path.stat().st_size, last_media_time(path))


def _seal(
    session: _Finished,
    segments: Sequence[Path],
    docs: SessionDocuments,
    audit_log: Path,
    keys: CloseOutKeys,
    folder: Path,
) -> SealedArchive:
    payload = {f"recording/{path.name}": path for path in segments}
    documents = [docs.agreement_pdf, docs.rights_notice_pdf, docs.recording_statement_pdf]
    for pdf in [*documents, *docs.english_pdfs]:
        if pdf is not None:
            payload[f"documents/{pdf.name}"] = pdf
    payload[f"logs/{audit_log.name}"] = audit_log
    return seal_session(
        payload,
        list(keys.archive_recipients),
        folder,
        {"External-Identifier": session.case_number, "PleaDesk-Session-Id": session.id},
        volume_id=f"PLEA_{session.id[:8]}",
    )
