"""The documents of one finished session: agreement, rights notice, recording statement.

:func:`make_session_documents` is what the end of a session (and the demo) calls: it hashes
the recording files, builds the recording statement from the session's state timeline, renders
and certifies each document, applies the signatures that exist (the handwriting the hub
received, the prosecutor's and the technician's certificates), adds RFC 3161 timestamps, writes
the PDFs (and the English renderings for a foreign-language session) and checks every
signature before returning.

Blocking: run it in an executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from documents.agreement import DEMO_PROCURATORATE, PleaAgreement
from documents.demo import DEMO_PLACES, demo_agreement, demo_staff
from documents.english import render_agreement_english
from documents.fingerprint import Fingerprint
from documents.notice import RightsNotice
from documents.notice_pdf import render_notice
from documents.pdf import FIELD_LAWYER, FIELD_PROSECUTOR, FIELD_SUSPECT, render_agreement
from documents.pki import DemoPki, Signatory
from documents.signature import Signature
from documents.signing import FieldSignature, certify, document_sha256, sign_field
from documents.statement import (
    Interruption,
    Milestone,
    NoAgreement,
    NoAgreementReason,
    Participant,
    PartyRole,
    RecordingFile,
    RecordingStatement,
)
from documents.statement_pdf import BEIJING, FIELD_TECHNICIAN, render_statement
from documents.timestamps import timestamper_for
from documents.verify import SignatureCheck, verify_pdf
from recording.bag import hash_file

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
    case_number: str,
    session_id: str,
    recordings: Sequence[Path],
    timeline: Sequence[Mapping[str, Any]],
    signatures: Mapping[str, Mapping[str, Any]],
    parties: Sequence[str],
    pki_dir: Path,
    agreement: PleaAgreement | None = None,
    fingerprint: Fingerprint | None = None,
    no_agreement: NoAgreement | None = None,
    durations: Mapping[str, float] | None = None,
    participants: Sequence[Participant] | None = None,
    place: str | None = None,
    lawyer_has_certificate: bool = True,
    tsa_url: str | None = None,
    tsa_roots: Sequence[x509.Certificate] | None = None,
    clock: Clock | None = None,
) -> SessionDocuments:
    """Make, sign, write and check the session's documents in ``out_dir``.

    ``recordings``: the composite recording first, then any other files of the session.
    ``timeline``: the state changes, each ``{state, step, role, at, reason}`` with ``at`` in
    seconds since the epoch. ``signatures``: role → handwriting in the ``Signature`` wire
    format. ``parties``: the roles that took part. ``agreement`` defaults to the demo case;
    ``participants`` and ``place`` default to the demo's people and rooms. A lawyer without a
    certificate of their own signs through the lawyer station's certificate.
    Without ``tsa_url`` a local timestamp authority of the demo PKI stamps the signatures;
    with it, ``tsa_roots`` are the roots its tokens are checked against.
    """
    if not recordings:
        raise SessionDocumentsError("No recording file was given; the statement needs one.")
    out_dir.mkdir(parents=True, exist_ok=True)
    pki = DemoPki.load_or_create(pki_dir)
    timestamper = timestamper_for(tsa_url) or pki.timestamper(clock)
    signer = _Signer(pki, timestamper, clock)
    starts = [e["at"] for e in timeline if e.get("state") == "recording"] or [timeline[0]["at"]]
    day = datetime.fromtimestamp(starts[0], BEIJING).date()
    agreement = agreement or demo_agreement(case_number, session_id, on=day)
    handwriting = {role: Signature.from_json(dict(data)) for role, data in signatures.items()}
    states = [e.get("state") for e in timeline]
    signed = "signed" in states and {"suspect", "lawyer"} <= set(handwriting)
    people = participants or _participants(agreement, parties, case_number, session_id)
    statement = statement_from_timeline(
        agreement,
        recordings,
        timeline,
        people,
        signed=signed,
        no_agreement=no_agreement,
        durations=durations or {},
        place=place,
    )
    written: dict[str, bytes] = {}
    if signed:
        written["agreement.pdf"] = signer.agreement(
            agreement, handwriting, fingerprint, lawyer_has_certificate
        )
    notice = RightsNotice.from_agreement(agreement)
    written["rights-notice.pdf"] = signer.basic(render_notice(notice), agreement.prosecutor)
    written["recording-statement.pdf"] = signer.statement(statement, agreement.prosecutor)
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
        checks[name] = verify_pdf(pdf, pki.trust_roots, tsa_roots=tsa_roots)
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
    recordings: Sequence[Path],
    timeline: Sequence[Mapping[str, Any]],
    participants: Sequence[Participant],
    *,
    signed: bool,
    no_agreement: NoAgreement | None = None,
    durations: Mapping[str, float] | None = None,
    taken_out_at: datetime | None = None,
    returned_at: datetime | None = None,
    place: str | None = None,
) -> RecordingStatement:
    """Build the recording statement from the session's state changes and its files.

    The recording runs from the "recording" state to "closed". Each "interrupted" entry is a
    stop, resumed by the next entry. Without explicit custody times, the suspect is taken as
    brought in when all parties were present ("room_ready") and returned when the session
    closed.
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
    durations = durations or {}
    files = tuple(
        RecordingFile(p.name, hash_file(p), p.stat().st_size, durations.get(p.name))
        for p in recordings
    )
    room_ready = next((t for s, t, _ in at if s == "room_ready"), None)
    return RecordingStatement(
        case_number=agreement.case_number,
        procuratorate=agreement.procuratorate,
        session_id=agreement.session_id,
        case_type=agreement.charges_text,
        suspect_name=agreement.suspect.name,
        place=place or f"{DEMO_PLACES['prosecutor']}（主会场）、{DEMO_PLACES['suspect']}",
        started_at=start,
        ended_at=end,
        participants=tuple(participants),
        files=files,
        date=end.astimezone(BEIJING).date(),
        interruptions=tuple(stops),
        milestones=tuple(Milestone(t, s, r if s == "interrupted" else "") for s, t, r in at),
        taken_out_at=taken_out_at or (room_ready if agreement.suspect.detained else None),
        returned_at=returned_at or (end if agreement.suspect.detained else None),
        agreement_signed=signed,
        no_agreement=no_agreement,
        language=agreement.suspect.language,
    )


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(float(value), UTC)


def _participants(
    a: PleaAgreement, parties: Sequence[str], case_number: str, session_id: str
) -> list[Participant]:
    """Who took part in the demo session, with their posts and places."""
    staff = demo_staff(case_number, session_id)
    places = DEMO_PLACES
    rows = [
        (PartyRole.SUSPECT, a.suspect.name.split("（")[0], "犯罪嫌疑人", places["suspect"]),
        (PartyRole.PROSECUTOR, a.prosecutor, f"检察官（{a.procuratorate}）", places["prosecutor"]),
    ]
    if "lawyer" in parties:
        post = f"{a.lawyer.role.label}（{a.lawyer.law_firm}）"
        rows.append((PartyRole.LAWYER, a.lawyer.name, post, places["lawyer"]))
    if a.interpreter is not None:
        post = f"翻译人员（{a.interpreter.language}）"
        rows.append((PartyRole.INTERPRETER, a.interpreter.name, post, places["prosecutor"]))
    rows.append((PartyRole.TECHNICIAN, staff["technician"], "检察技术人员", places["technician"]))
    if a.suspect.detained:
        post = f"民警（{a.suspect.detention_place}）"
        rows.append((PartyRole.CUSTODY_OFFICER, staff["custody_officer"], post, places["suspect"]))
    return [Participant(*row) for row in rows]


class _Signer:
    """Signs the session's documents in the fixed order, with one timestamper and clock."""

    def __init__(self, pki: DemoPki, timestamper: Any, clock: Clock | None) -> None:
        self.pki, self.timestamper, self.clock = pki, timestamper, clock

    def certified(self, pdf: bytes) -> bytes:
        return certify(
            pdf,
            self.pki.procuratorate,
            reason="经人民检察院认证",
            clock=self.clock,
            timestamper=self.timestamper,
        )

    def field(self, pdf: bytes, request: FieldSignature, seen: str | None = None) -> bytes:
        return sign_field(
            pdf, request, seen_sha256=seen, clock=self.clock, timestamper=self.timestamper
        )

    def person(self, name: str, organisation: str, unit: str) -> Signatory:
        return self.pki.issue(name, organisation, unit)

    def agreement(
        self,
        a: PleaAgreement,
        handwriting: Mapping[str, Signature],
        fp: Fingerprint | None,
        lawyer_has_certificate: bool,
    ) -> bytes:
        pdf = self.certified(render_agreement(a, {}))
        shown = document_sha256(pdf)  # what the suspect and the lawyer were shown
        place = a.suspect.detention_place
        terminal = self.person(f"{place}远程签署终端", place, "认罪认罚远程签署")
        suspect = FieldSignature(
            FIELD_SUSPECT,
            terminal,
            a.suspect.name,
            "犯罪嫌疑人签名、捺指印（由看守所远程签署终端代为加签）",
            handwriting["suspect"],
            fp,
            DEMO_PLACES["suspect"],
        )
        pdf = self.field(pdf, suspect, shown)
        # A lawyer without a certificate of their own signs through the lawyer station's,
        # the way the suspect signs through the terminal's.
        if lawyer_has_certificate:
            lawyer_key = self.person(a.lawyer.name, a.lawyer.law_firm, "律师执业证书")
            reason = f"{a.lawyer.role.label}见证签名"
        else:
            lawyer_key = self.person("值班律师工作站", DEMO_PLACES["lawyer"], "认罪认罚远程签署")
            reason = f"{a.lawyer.role.label}见证签名（手写签名，由律师工作站代为加签）"
        lawyer = FieldSignature(
            FIELD_LAWYER,
            lawyer_key,
            a.lawyer.name,
            reason,
            handwriting["lawyer"],
            None,
            DEMO_PLACES["lawyer"],
        )
        pdf = self.field(pdf, lawyer, shown)
        return self._prosecutor(pdf, a.prosecutor, a.procuratorate)

    def basic(self, pdf: bytes, prosecutor: str) -> bytes:
        return self._prosecutor(self.certified(pdf), prosecutor, DEMO_PROCURATORATE)

    def statement(self, s: RecordingStatement, prosecutor: str) -> bytes:
        pdf = self.certified(render_statement(s))
        tech = next(p for p in s.participants if p.role is PartyRole.TECHNICIAN)
        signatory = self.person(tech.name, s.procuratorate, "检察技术部门")
        reason = "录制人员确认录音录像及完整性校验值"
        pdf = self.field(pdf, FieldSignature(FIELD_TECHNICIAN, signatory, tech.name, reason))
        return self._prosecutor(pdf, prosecutor, s.procuratorate)

    def _prosecutor(self, pdf: bytes, name: str, procuratorate: str) -> bytes:
        signatory = self.person(name, procuratorate, "检察官")
        return self.field(pdf, FieldSignature(FIELD_PROSECUTOR, signatory, name, "承办检察官签名"))
