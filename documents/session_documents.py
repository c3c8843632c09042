"""The documents of one finished session: agreement, rights notice, recording statement.

:func:`make_session_documents` is what a session's close-out calls: it builds the recording
statement from the recording files (as the caller hashed them), the session's state timeline and
the detention centre's 提押/还押 record, renders and certifies each document, applies the
signatures that exist (the suspect's handwriting on each document it was given for, the
prosecutor's, the technician's and the custody officer's certificates), adds RFC 3161
timestamps, writes the PDFs (and the English renderings for a foreign-language session) and
checks every signature before returning.

Blocking: run it in an executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from documents.agreement import PleaAgreement
from documents.checks import StatementError
from documents.fingerprint import Fingerprint
from documents.notice import RightsNotice
from documents.pdf.english import render_agreement_english
from documents.pdf.notice import render_notice
from documents.pdf.statement import render_statement
from documents.signature import Signature
from documents.signing.session_signer import SessionSigner
from documents.signing.verify import SignatureCheck, verify_pdf
from documents.statement import (
    BEIJING,
    CustodyRecord,
    Interruption,
    Milestone,
    NoAgreement,
    NoAgreementReason,
    Participant,
    PartyRole,
    RecordingFile,
    RecordingStatement,
)

Clock = Callable[[], datetime]


class SessionDocumentsError(RuntimeError):
    """The session's documents could not be made, or one failed its signature check."""


@dataclass(frozen=True)
class SessionDocuments:
    """Where the documents were written, and every signature's verdict."""

    agreement_pdf: Path | None
    rights_notice_pdf: Path
    recording_statement_pdf: Path
    recording_sha256: str
    english_pdfs: tuple[Path, ...] = ()
    checks: dict[str, list[SignatureCheck]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Keys for the session's ``summary.json``."""
        return {
            "agreement_pdf": str(self.agreement_pdf) if self.agreement_pdf else None,
            "rights_notice_pdf": str(self.rights_notice_pdf),
            "recording_statement_pdf": str(self.recording_statement_pdf),
            "english_pdfs": [str(p) for p in self.english_pdfs],
            "recording_sha256": self.recording_sha256,
        }


def make_session_documents(
    out_dir: Path,
    *,
    recordings: Sequence[RecordingFile],
    timeline: Sequence[Mapping[str, Any]],
    signatures: Mapping[str, Mapping[str, Any]],
    agreement: PleaAgreement,
    participants: Sequence[Participant],
    places: Mapping[str, str],
    pki_dir: Path,
    custody: CustodyRecord | None = None,
    notice_handwriting: Mapping[str, Any] | None = None,
    statement_handwriting: Mapping[str, Any] | None = None,
    presented: bytes | None = None,
    fingerprint: Fingerprint | None = None,
    no_agreement: NoAgreement | None = None,
    lawyer_has_certificate: bool = True,
    tsa_url: str | None = None,
    tsa_roots: Sequence[x509.Certificate] | None = None,
    clock: Clock | None = None,
) -> SessionDocuments:
    """Make, sign, write and check the session's documents in ``out_dir``.

    ``recordings``: the composite recording first, then any other files of the session, each
    with its SHA-256. ``timeline``: the state changes, each ``{state, step, role, at, reason}``
    with ``at`` in seconds since the epoch. ``signatures``: role → handwriting in the
    ``Signature`` wire format, given on the agreement. ``participants``: who took part, with
    their posts and places; ``places``: the room of each role (``prosecutor``, ``suspect``,
    ``lawyer``), where each signs and what the statement names as the place. ``custody``: the
    detention centre's 提押/还押 record of the session; without one the statement says no time
    was registered (未登记), and its officer, when known, is the custody officer listed and
    signing. ``notice_handwriting`` and ``statement_handwriting``: the suspect's handwriting
    given on the rights notice and on the statement; without it that field stays for signing
    on paper. ``presented`` is the agreement's PDF as the session presented it (certified, see
    :meth:`SessionSigner.presented`), which the handwriting was given on and the signatures are
    added to. A lawyer without a certificate of their own signs through the
    lawyer station's certificate. Without ``tsa_url`` a local timestamp authority of the demo
    PKI stamps the signatures; with it, ``tsa_roots`` are the roots its tokens are checked
    against.
    """
    if not recordings:
        raise SessionDocumentsError("No recording file was given; the statement needs one.")
    out_dir.mkdir(parents=True, exist_ok=True)
    signer = SessionSigner.in_folder(pki_dir, tsa_url, clock, places)
    handwriting = {role: Signature.from_json(dict(data)) for role, data in signatures.items()}
    states = [e.get("state") for e in timeline]
    signed = "signed" in states and {"suspect", "lawyer"} <= set(handwriting)
    custody = custody or CustodyRecord()
    try:
        statement = statement_from_timeline(
            agreement,
            recordings,
            timeline,
            _with_custody_officer(participants, custody.taken_out_by, agreement),
            signed=signed,
            no_agreement=no_agreement,
            custody=custody,
            place=statement_place(places),
        )
    except StatementError as exc:
        if not exc.field.startswith("custody"):
            raise
        raise SessionDocumentsError(
            f"The detention centre's 提押/还押 record does not fit the recording ({exc}); the "
            "statement cannot state it. Have the record checked, then make the documents again."
        ) from exc
    notice_hand = _handwriting(notice_handwriting)
    statement_hand = _handwriting(statement_handwriting)
    written: dict[str, bytes] = {}
    if signed:
        written["agreement.pdf"] = signer.agreement(
            agreement, handwriting, fingerprint, lawyer_has_certificate, presented
        )
    notice = RightsNotice.from_agreement(agreement)
    written["rights-notice.pdf"] = signer.notice(notice, agreement, notice_hand, fingerprint)
    written["recording-statement.pdf"] = signer.statement(
        statement, agreement, statement_hand, fingerprint
    )
    english: list[str] = []
    if agreement.needs_english:
        written["agreement.en.pdf"] = signer.certified(render_agreement_english(agreement))
        written["rights-notice.en.pdf"] = signer.certified(render_notice(notice, english=True))
        written["recording-statement.en.pdf"] = signer.certified(
            render_statement(statement, english=True)
        )
        english = ["agreement.en.pdf", "rights-notice.en.pdf", "recording-statement.en.pdf"]
    checks = {}
    for name, pdf in written.items():
        checks[name] = verify_pdf(pdf, signer.pki.trust_roots, tsa_roots=tsa_roots)
        if not all(c.ok for c in checks[name]):
            raise SessionDocumentsError(f"{name}: a signature does not verify: {checks[name]}")
        (out_dir / name).write_bytes(pdf)
    return SessionDocuments(
        agreement_pdf=out_dir / "agreement.pdf" if signed else None,
        rights_notice_pdf=out_dir / "rights-notice.pdf",
        recording_statement_pdf=out_dir / "recording-statement.pdf",
        recording_sha256=statement.files[0].sha256,
        english_pdfs=tuple(out_dir / n for n in english),
        checks=checks,
    )


def statement_from_timeline(
    agreement: PleaAgreement,
    recordings: Sequence[RecordingFile],
    timeline: Sequence[Mapping[str, Any]],
    participants: Sequence[Participant],
    *,
    signed: bool,
    place: str,
    no_agreement: NoAgreement | None = None,
    custody: CustodyRecord | None = None,
) -> RecordingStatement:
    """Build the recording statement from the session's state changes and its files.

    The recording runs from the "recording" state to "closed". Each "interrupted" entry is a
    stop, resumed by the next entry. The 提押/还押 times are ``custody``, the detention
    centre's record, and nothing else: the session's own steps say when parties were present,
    not when the suspect left or re-entered custody.
    """
    at = [(str(e["state"]), _moment(e["at"]), str(e.get("reason") or "")) for e in timeline]
    if not at:
        raise SessionDocumentsError("The session has no state changes; nothing to state.")
    start = next((t for s, t, _ in at if s == "recording"), at[0][1])
    end = next((t for s, t, _ in at if s == "closed"), at[-1][1])
    stops = []
    for i, (state, moment, reason) in enumerate(at):
        if state == "interrupted":
            resumed = at[i + 1][1] if i + 1 < len(at) else None
            stops.append(Interruption(moment, reason or "未说明原因", resumed))
    if not signed and no_agreement is None and "no_agreement_path" in [s for s, _, _ in at]:
        reason = next(r for s, _, r in at if s == "no_agreement_path") or "见同步录音录像"
        no_agreement = NoAgreement(NoAgreementReason.OTHER, reason)
    return RecordingStatement(
        case_number=agreement.case_number,
        procuratorate=agreement.procuratorate,
        session_id=agreement.session_id,
        case_type=agreement.charges_text,
        suspect_name=agreement.suspect.name,
        place=place,
        started_at=start,
        ended_at=end,
        participants=tuple(participants),
        files=tuple(recordings),
        date=end.astimezone(BEIJING).date(),
        interruptions=tuple(stops),
        milestones=tuple(Milestone(t, s, r if s == "interrupted" else "") for s, t, r in at),
        suspect_detained=agreement.suspect.detained,
        custody=custody or CustodyRecord(),
        agreement_signed=signed,
        no_agreement=no_agreement,
        language=agreement.suspect.language,
    )


def statement_place(places: Mapping[str, str]) -> str:
    """Where the session was held, as the statement says it: the prosecutor's room (the main
    room, 主会场) and the suspect's."""
    return f"{places['prosecutor']}（主会场）、{places['suspect']}"


def _handwriting(data: Mapping[str, Any] | None) -> Signature | None:
    return Signature.from_json(dict(data)) if data is not None else None


def _with_custody_officer(
    people: Sequence[Participant], officer: str, a: PleaAgreement
) -> list[Participant]:
    """The participants, with ``officer`` (who registered the 提押) as the custody officer.

    The detention centre's record says who actually brought the suspect in; a roster made in
    advance may name someone else. Without a recorded officer the participants stay as given.
    """
    rows = list(people)
    if not officer:
        return rows
    at = next((i for i, p in enumerate(rows) if p.role is PartyRole.CUSTODY_OFFICER), None)
    if at is not None:
        rows[at] = Participant(PartyRole.CUSTODY_OFFICER, officer, rows[at].post, rows[at].place)
        return rows
    centre = a.suspect.detention_place
    suspect = next((p.place for p in rows if p.role is PartyRole.SUSPECT), centre)
    post = f"民警（{centre}）" if centre else PartyRole.CUSTODY_OFFICER.label
    return [*rows, Participant(PartyRole.CUSTODY_OFFICER, officer, post, suspect)]


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(float(value), UTC)
