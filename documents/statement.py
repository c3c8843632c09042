"""The statement on the recording (同步录音录像相关说明), as validated data.

Made at the end of the session and signed by those present (SPP recording rules 2005 art. 12):
when recording started and ended, who took part and in which role and place, when the detained
suspect was taken out (提押) and returned (还押), every interruption with its reason (art. 11),
and every recording file with its SHA-256, the integrity value parties confirm (SPC 2017
rule art. 9). It also says whether the plea agreement was signed or, on the CPL art. 174 path,
why none was needed. Times are absolute (timezone-aware) and printed in Beijing time.

The 提押/还押 times are evidence of where the suspect was, so they come only from the detention
centre's own record (:class:`CustodyRecord`), never from the session's timeline: a time not
registered there is stated as not registered (未登记), not estimated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any

from documents.checks import (
    StatementError,
    check_text,
    decode_document,
    document_id,
    encode_json,
    set_checked,
)

SCHEMA = "pleadesk.recording-statement/2"  # 2: custody as the registered record
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Detention centres, procuratorates and the statement keep Beijing time.
BEIJING = timezone(timedelta(hours=8), "北京时间")


def _text(field: str, value: Any, limit: int) -> str:
    return check_text(field, value, max_len=limit, error=StatementError)


def _aware(field: str, moment: Any) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise StatementError(field, "must be a time with its timezone")
    return moment


class PartyRole(Enum):
    """A participant's part in the session."""

    SUSPECT = "suspect"
    PROSECUTOR = "prosecutor"
    LAWYER = "lawyer"
    INTERPRETER = "interpreter"
    GUARDIAN = "guardian"
    TECHNICIAN = "technician"
    CUSTODY_OFFICER = "custody_officer"

    @property
    def label(self) -> str:
        """The Chinese label."""
        return _ROLE_LABELS[self][0]

    @property
    def english(self) -> str:
        """The English label."""
        return _ROLE_LABELS[self][1]


_ROLE_LABELS = {
    PartyRole.SUSPECT: ("犯罪嫌疑人", "Suspect"),
    PartyRole.PROSECUTOR: ("检察官", "Prosecutor"),
    PartyRole.LAWYER: ("值班律师", "Duty lawyer"),
    PartyRole.INTERPRETER: ("翻译人员", "Interpreter"),
    PartyRole.GUARDIAN: ("法定代理人", "Legal representative"),
    PartyRole.TECHNICIAN: ("录制人员（检察技术人员）", "Recording technician"),
    PartyRole.CUSTODY_OFFICER: ("看守所民警", "Detention centre officer"),
}


class NoAgreementReason(Enum):
    """Why no plea agreement was needed (CPL art. 174 ¶2)."""

    DISABILITY = "disability"
    MENTAL_CAPACITY = "mental_capacity"
    MINOR_OBJECTION = "minor_objection"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The ground as the law words it."""
        return {
            "disability": "犯罪嫌疑人是盲、聋、哑人",
            "mental_capacity": "犯罪嫌疑人是尚未完全丧失辨认或者控制自己行为能力的精神病人",
            "minor_objection": "未成年犯罪嫌疑人的法定代理人、辩护人对认罪认罚有异议",
            "other": "其他不需要签署认罪认罚具结书的情形",
        }[self.value]

    @property
    def english(self) -> str:
        """The ground in English."""
        return {
            "disability": "the suspect is blind, deaf or mute",
            "mental_capacity": "the suspect is mentally ill without having completely lost the "
            "capacity to recognise or control their conduct",
            "minor_objection": "the legal representative or defender of the minor suspect "
            "objects to the plea",
            "other": "another case in which no plea agreement is needed",
        }[self.value]


@dataclass(frozen=True)
class NoAgreement:
    """The art. 174 path: no 具结书 signed, the ground and the facts behind it."""

    reason: NoAgreementReason
    details: str

    def __post_init__(self) -> None:
        set_checked(self, "details", _text("outcome.no_agreement.details", self.details, 1000))


@dataclass(frozen=True)
class Participant:
    """Someone present: name, role, post or firm, and the place they took part from."""

    role: PartyRole
    name: str
    post: str
    place: str


@dataclass(frozen=True)
class RecordingFile:
    """One recording file and its SHA-256, the integrity value the parties confirm."""

    name: str
    sha256: str
    size_bytes: int
    duration_s: float | None = None


@dataclass(frozen=True)
class Interruption:
    """A stop in the session: when, why, and when it resumed (None: it did not)."""

    stopped_at: datetime
    reason: str
    resumed_at: datetime | None = None


@dataclass(frozen=True)
class Milestone:
    """A step of the session (the recording's chapter marks): when, which state, any note."""

    at: datetime
    state: str
    note: str = ""


@dataclass(frozen=True)
class CustodyRecord:
    """The detention centre's record of one session's 提押 and 还押: when, and by which officer.

    Detention staff register each when it happens (the schedule's day view); a time they have
    not registered is None, and the statement says so rather than guessing one. Officers are
    named as staff registered them; empty when not recorded.
    """

    taken_out_at: datetime | None = None
    taken_out_by: str = ""
    returned_at: datetime | None = None
    returned_by: str = ""

    def __post_init__(self) -> None:
        for name in ("taken_out_by", "returned_by"):
            value = getattr(self, name)
            if value != "":
                set_checked(self, name, _text(f"custody.{name}", value, 50))
        out, back = self.taken_out_at, self.returned_at
        if out is not None:
            _aware("custody.taken_out_at", out)
        elif self.taken_out_by:
            raise StatementError("custody.taken_out_by", "names an officer but no 提押 time")
        if back is not None:
            _aware("custody.returned_at", back)
            if out is None:
                raise StatementError("custody.returned_at", "is given without a 提押 time")
            if back < out:
                raise StatementError("custody.returned_at", "is before the 提押 time")
        elif self.returned_by:
            raise StatementError("custody.returned_by", "names an officer but no 还押 time")

    @classmethod
    def from_local(
        cls,
        taken_out_at: datetime | None,
        taken_out_by: str,
        returned_at: datetime | None,
        returned_by: str,
    ) -> CustodyRecord:
        """A record kept as naive local times, as detention centres keep them (Beijing time)."""

        def aware(moment: datetime | None) -> datetime | None:
            if moment is None or moment.utcoffset() is not None:
                return moment
            return moment.replace(tzinfo=BEIJING)

        return cls(aware(taken_out_at), taken_out_by, aware(returned_at), returned_by)

    @property
    def registered(self) -> bool:
        """Whether anything at all was registered."""
        return self.taken_out_at is not None

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON values (times in ISO form with their offset)."""
        data: dict[str, Any] = encode_json(self)
        return data


@dataclass(frozen=True)
class RecordingStatement:
    """The statement on one session's recording (同步录音录像相关说明)."""

    case_number: str
    procuratorate: str
    session_id: str
    case_type: str
    suspect_name: str
    place: str
    started_at: datetime
    ended_at: datetime
    participants: tuple[Participant, ...]
    files: tuple[RecordingFile, ...]
    date: date
    interruptions: tuple[Interruption, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    suspect_detained: bool = True
    custody: CustodyRecord = CustodyRecord()
    agreement_signed: bool = True
    no_agreement: NoAgreement | None = None
    language: str = "zh"

    def __post_init__(self) -> None:
        for name, limit in (
            ("case_number", 64),
            ("procuratorate", 64),
            ("session_id", 64),
            ("case_type", 64),
            ("suspect_name", 50),
            ("place", 200),
        ):
            set_checked(self, name, _text(name, getattr(self, name), limit))
        start, end = _aware("started_at", self.started_at), _aware("ended_at", self.ended_at)
        if end <= start:
            raise StatementError("ended_at", "is not after the start of the recording")
        self._check_custody(start, end)
        self._check_participants()
        self._check_files()
        self._check_interruptions(start, end)
        for i, mark in enumerate(self.milestones):
            _aware(f"milestones[{i}].at", mark.at)
        if self.agreement_signed and self.no_agreement is not None:
            raise StatementError(
                "no_agreement", "is given although the agreement was signed; remove one"
            )

    def _check_custody(self, start: datetime, end: datetime) -> None:
        record = self.custody
        if not isinstance(record, CustodyRecord):
            raise StatementError("custody", "is not a custody record")
        if not self.suspect_detained:
            if record.registered:
                raise StatementError("custody", "is given, but the suspect is not detained")
            return
        # The custody record keeps whole seconds, as the statement prints them: compare so.
        if record.taken_out_at is not None and record.taken_out_at > start:
            raise StatementError("custody.taken_out_at", "is after the recording started")
        if record.returned_at is not None and record.returned_at < end.replace(microsecond=0):
            raise StatementError("custody.returned_at", "is before the recording ended")

    def _check_participants(self) -> None:
        people = self.participants
        if not isinstance(people, tuple):
            raise StatementError("participants", "is not a list")
        for i, p in enumerate(people):
            for name, limit in (("name", 50), ("post", 100), ("place", 200)):
                value = _text(f"participants[{i}].{name}", getattr(p, name), limit)
                set_checked(p, name, value)
        roles = [p.role for p in people]
        for role in (PartyRole.SUSPECT, PartyRole.PROSECUTOR, PartyRole.TECHNICIAN):
            if role not in roles:
                raise StatementError("participants", f"no {role.value} listed")
        if self.agreement_signed and PartyRole.LAWYER not in roles:
            raise StatementError("participants", "no lawyer listed, but one witnessed the signing")
        prosecutors = {p.name for p in people if p.role is PartyRole.PROSECUTOR}
        for i, p in enumerate(people):
            if p.role is PartyRole.TECHNICIAN and p.name in prosecutors:
                raise StatementError(
                    f"participants[{i}].name",
                    "the recording technician cannot also be the prosecutor (审录分离)",
                )

    def _check_files(self) -> None:
        if not isinstance(self.files, tuple) or not self.files:
            raise StatementError("files", "no recording file listed")
        for i, f in enumerate(self.files):
            name = _text(f"files[{i}].name", f.name, 255)
            if "/" in name or "\\" in name:
                raise StatementError(f"files[{i}].name", "is a path; give the file name only")
            if not isinstance(f.sha256, str) or not _SHA256.fullmatch(f.sha256):
                raise StatementError(f"files[{i}].sha256", "is not a SHA-256 in lowercase hex")
            if (
                not isinstance(f.size_bytes, int)
                or isinstance(f.size_bytes, bool)
                or f.size_bytes <= 0
            ):
                raise StatementError(f"files[{i}].size_bytes", "must be a positive byte count")
            if f.duration_s is not None and not f.duration_s > 0:
                raise StatementError(f"files[{i}].duration_s", "must be positive, or none")

    def _check_interruptions(self, start: datetime, end: datetime) -> None:
        previous = start
        for i, stop in enumerate(self.interruptions):
            field = f"interruptions[{i}]"
            set_checked(stop, "reason", _text(f"{field}.reason", stop.reason, 500))
            stopped = _aware(f"{field}.stopped_at", stop.stopped_at)
            if not previous <= stopped <= end:
                raise StatementError(
                    f"{field}.stopped_at", "is outside the recording or before the one above"
                )
            if stop.resumed_at is not None:
                resumed = _aware(f"{field}.resumed_at", stop.resumed_at)
                if not stopped <= resumed <= end:
                    raise StatementError(
                        f"{field}.resumed_at", "is not between the stop and the end"
                    )
                previous = resumed
            else:
                previous = stopped

    @property
    def document_id(self) -> str:
        """The identifier printed in the footer of every page."""
        return document_id("SLSM", self.session_id)

    @property
    def needs_english(self) -> bool:
        """True for a foreign-language session: an English rendering goes beside the Chinese."""
        return self.language != "zh"

    @property
    def qr_payload(self) -> str:
        """What the QR code holds: the session id and the first recording's SHA-256."""
        return f"PLEADESK;session={self.session_id};sha256={self.files[0].sha256}"

    def to_json(self) -> dict[str, Any]:
        """The statement as plain JSON values."""
        return {"schema": SCHEMA, **encode_json(self)}

    @classmethod
    def from_json(cls, data: Any) -> RecordingStatement:
        """Build and validate a statement from :meth:`to_json` output; raise StatementError."""
        result: RecordingStatement = decode_document(cls, data, SCHEMA, StatementError, "statement")
        return result
