"""The session state machine: the lawful order of a remote plea session.

Theory of operation
-------------------
The hub owns one :class:`SessionMachine` per session and is the only authority on its state.
The machine is sans-IO: the hub feeds it events (a party joined or left, the recorder started,
a signature arrived, a party asked for a step) together with the session clock's ``now``, and
gets back a list of :class:`StateChanged` effects to store, log and broadcast. It never touches
sockets, files or the clock itself.

The order of steps follows the plea-session recording rules: recording is announced before
anything is said, the rights notice comes before the hearing, the agreement is presented only
after the hearing, and it is signed only with the duty lawyer connected. What is presented is
the PDF the prosecutor loaded (its SHA-256 is kept), and a signature counts only if it was made
on exactly that document; once signing has begun it can no longer be replaced. Which step
follows which is the literal table ``TRANSITIONS``; who may ask for a step is ``STEP_ROLES``.
The hub itself (``role="hub"``) takes the steps nobody asks for: the room is ready when every
required party has joined, recording begins when the recorder receives them, signing completes
when both handwritten signatures are in, and a party that drops interrupts a live session.

A refused request raises :class:`StepRefused` with a code and a message for the person who asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    """Where a session stands."""

    SCHEDULED = "scheduled"
    ROOM_READY = "room_ready"
    RECORDING = "recording"
    ANNOUNCED = "announced"
    RIGHTS_NOTIFIED = "rights_notified"
    HEARING = "hearing"
    PRIVATE_CONSULTATION = "private_consultation"
    AGREEMENT_PRESENTED = "agreement_presented"
    SIGNING = "signing"
    SIGNED = "signed"
    CLOSING = "closing"
    CLOSED = "closed"
    INTERRUPTED = "interrupted"
    NO_AGREEMENT_PATH = "no_agreement_path"


class Step(StrEnum):
    """What moves a session from one state to the next."""

    ROOM_READY = "room_ready"
    START_RECORDING = "start_recording"
    ANNOUNCE = "announce"
    NOTIFY_RIGHTS = "notify_rights"
    BEGIN_HEARING = "begin_hearing"
    BEGIN_CONSULTATION = "begin_consultation"
    END_CONSULTATION = "end_consultation"
    PRESENT_AGREEMENT = "present_agreement"
    BEGIN_SIGNING = "begin_signing"
    COMPLETE_SIGNING = "complete_signing"
    DECLINE_AGREEMENT = "decline_agreement"
    CLOSE = "close"
    FINISH = "finish"
    INTERRUPT = "interrupt"
    RESUME = "resume"


S = State
TRANSITIONS: dict[State, dict[Step, State]] = {
    S.SCHEDULED: {Step.ROOM_READY: S.ROOM_READY},
    S.ROOM_READY: {Step.START_RECORDING: S.RECORDING},
    S.RECORDING: {Step.ANNOUNCE: S.ANNOUNCED},
    S.ANNOUNCED: {Step.NOTIFY_RIGHTS: S.RIGHTS_NOTIFIED},
    S.RIGHTS_NOTIFIED: {Step.BEGIN_HEARING: S.HEARING},
    S.HEARING: {
        Step.BEGIN_CONSULTATION: S.PRIVATE_CONSULTATION,
        Step.PRESENT_AGREEMENT: S.AGREEMENT_PRESENTED,
        Step.DECLINE_AGREEMENT: S.NO_AGREEMENT_PATH,
    },
    S.PRIVATE_CONSULTATION: {Step.END_CONSULTATION: S.HEARING},
    S.AGREEMENT_PRESENTED: {
        Step.BEGIN_SIGNING: S.SIGNING,
        Step.BEGIN_CONSULTATION: S.PRIVATE_CONSULTATION,
        Step.DECLINE_AGREEMENT: S.NO_AGREEMENT_PATH,
    },
    S.SIGNING: {Step.COMPLETE_SIGNING: S.SIGNED},
    S.SIGNED: {Step.CLOSE: S.CLOSING},
    S.NO_AGREEMENT_PATH: {Step.CLOSE: S.CLOSING},
    S.CLOSING: {Step.FINISH: S.CLOSED},
    S.CLOSED: {},
    # RESUME returns to the state the interruption left; see SessionMachine._resume.
    S.INTERRUPTED: {Step.RESUME: S.INTERRUPTED},
}

#: How each state is named in the recording's picture and chapters (Chinese / English).
STATE_CAPTIONS: dict[State, str] = {
    S.SCHEDULED: "待开始 / scheduled",
    S.ROOM_READY: "各方到场 / all present",
    S.RECORDING: "开始录音录像 / recording",
    S.ANNOUNCED: "告知录音录像 / recording announced",
    S.RIGHTS_NOTIFIED: "告知诉讼权利 / rights notice",
    S.HEARING: "听取意见 / hearing",
    S.PRIVATE_CONSULTATION: "律师单独会见 / private consultation",
    S.AGREEMENT_PRESENTED: "出示具结书 / agreement presented",
    S.SIGNING: "签署具结书 / signing",
    S.SIGNED: "具结书已签署 / signed",
    S.CLOSING: "结束 / closing",
    S.CLOSED: "已结束 / closed",
    S.INTERRUPTED: "中断 / interrupted",
    S.NO_AGREEMENT_PATH: "不签署具结书 / no agreement",
}

#: States in which media flows and the recording runs: a dropped party interrupts them.
LIVE_STATES = frozenset(
    {
        S.RECORDING,
        S.ANNOUNCED,
        S.RIGHTS_NOTIFIED,
        S.HEARING,
        S.PRIVATE_CONSULTATION,
        S.AGREEMENT_PRESENTED,
        S.SIGNING,
        S.SIGNED,
        S.NO_AGREEMENT_PATH,
        S.CLOSING,
    }
)

HUB = "hub"
#: Why a live session is interrupted when the hub stops, and when it starts again after
#: stopping without a word (a crash, a power cut).
HUB_STOPPED, HUB_RESTARTED = "hub stopped", "hub restarted"
REQUIRED_ROLES = ("suspect", "prosecutor", "lawyer")
OPTIONAL_ROLES = ("guardian", "interpreter", "technician")
STEP_ROLES: dict[Step, frozenset[str]] = {
    Step.ROOM_READY: frozenset({HUB}),
    Step.START_RECORDING: frozenset({HUB}),
    Step.ANNOUNCE: frozenset({"prosecutor"}),
    Step.NOTIFY_RIGHTS: frozenset({"prosecutor"}),
    Step.BEGIN_HEARING: frozenset({"prosecutor"}),
    Step.BEGIN_CONSULTATION: frozenset({"lawyer", "suspect"}),
    Step.END_CONSULTATION: frozenset({"lawyer"}),
    Step.PRESENT_AGREEMENT: frozenset({"prosecutor"}),
    Step.BEGIN_SIGNING: frozenset({"prosecutor"}),
    Step.COMPLETE_SIGNING: frozenset({HUB}),
    Step.DECLINE_AGREEMENT: frozenset({"prosecutor"}),
    Step.CLOSE: frozenset({"prosecutor"}),
    Step.FINISH: frozenset({HUB}),
    Step.INTERRUPT: frozenset({HUB, "prosecutor", "lawyer", "suspect", *OPTIONAL_ROLES}),
    Step.RESUME: frozenset({HUB, "prosecutor"}),
}

#: Steps that need these parties connected at the moment they are taken (more are added for a
#: minor, an interpreter, and resuming: see ``SessionMachine._needed``).
STEP_NEEDS_CONNECTED: dict[Step, frozenset[str]] = {
    Step.PRESENT_AGREEMENT: frozenset({"suspect", "lawyer"}),
    Step.BEGIN_SIGNING: frozenset({"suspect", "lawyer"}),
}

SIGNING_ROLES = frozenset({"suspect", "lawyer"})
#: Once signing has begun, the agreement signed is the one presented.
AGREEMENT_FIXED = frozenset(
    {State.SIGNING, State.SIGNED, State.CLOSING, State.CLOSED, State.NO_AGREEMENT_PATH}
)


#: Who talks in a private consultation; everyone else is shut out of its media.
CONSULTING_ROLES = frozenset({"suspect", "lawyer"})


def shut_out(role: str, state: State | str, others: frozenset[str]) -> frozenset[str]:
    """Which of ``others`` the ``role``'s station neither sends to nor receives from now.

    In a private consultation the suspect and the lawyer hear only each other (and the hub's
    recorder, which keeps the suspect in the picture); every other party is cut off entirely.
    """
    if state != State.PRIVATE_CONSULTATION:
        return frozenset()
    if role in CONSULTING_ROLES:
        return frozenset(others - CONSULTING_ROLES - {"recorder"})
    return frozenset(others)


class StepRefused(Exception):
    """A step was asked for that the law or the session's state does not allow now."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StateChanged:
    """Effect: the session moved from ``previous`` to ``state`` by ``step``, asked by ``role``."""

    previous: State
    state: State
    step: Step
    role: str
    at: float
    reason: str = ""


@dataclass
class SessionMachine:
    """The authoritative state of one session (see the module docstring)."""

    required_roles: tuple[str, ...] = REQUIRED_ROLES
    #: A minor suspect signs only with both the guardian and the lawyer present.
    minor: bool = False
    state: State = State.SCHEDULED
    connected: set[str] = field(default_factory=set)
    signatures: set[str] = field(default_factory=set)
    #: SHA-256 (hex) of the agreement's PDF as loaded by the prosecutor: what every signer sees.
    agreement_sha256: str = ""
    history: list[StateChanged] = field(default_factory=list)
    #: The recorder receives every required party (once it has, it stays so until it stops).
    recording: bool = False
    _interrupted_from: State | None = None

    @property
    def states_passed(self) -> list[str]:
        """Every state the session has been in, in order, starting with ``scheduled``."""
        return [State.SCHEDULED.value] + [change.state.value for change in self.history]

    # -- events -----------------------------------------------------------------------------

    def party_joined(self, role: str, now: float) -> list[StateChanged]:
        """A party's station joined; the room is ready once every required party is in."""
        self.connected.add(role)
        if self.state is State.SCHEDULED and set(self.required_roles) <= self.connected:
            return [self._move(Step.ROOM_READY, HUB, now)]
        return []

    def party_left(self, role: str, now: float) -> list[StateChanged]:
        """A party's station left or dropped; a live session is interrupted."""
        self.connected.discard(role)
        if role in self.required_roles and self.state in LIVE_STATES - {State.CLOSING}:
            return [self._move(Step.INTERRUPT, HUB, now, f"{role} disconnected")]
        return []

    def recorder_started(self, now: float) -> list[StateChanged]:
        """The recorder receives every required party: recording begins (or, after the hub
        started again, may be resumed)."""
        self.recording = True
        if self.state is State.ROOM_READY:
            return [self._move(Step.START_RECORDING, HUB, now)]
        return []

    def agreement_loaded(self, sha256: str, role: str) -> None:
        """The prosecutor loaded the agreement's PDF; a corrected one may replace it until
        signing begins."""
        if role != "prosecutor":
            raise StepRefused("wrong_role", f"the {role} may not load the agreement")
        if self.state in AGREEMENT_FIXED or self._interrupted_from in AGREEMENT_FIXED:
            raise StepRefused(
                "agreement_fixed", "签署已开始，具结书不能再更换 (signing has begun: the agreement "
                "can no longer be replaced)",
            )  # fmt: skip
        self.agreement_sha256 = sha256

    def signature_received(
        self, role: str, now: float, document_sha256: str = ""
    ) -> list[StateChanged]:
        """A handwritten signature, made on the document ``document_sha256``, arrived; signing
        completes when suspect and lawyer signed."""
        if self.state is not State.SIGNING:
            raise StepRefused(
                "not_signing", "签名只能在签署环节提交 (signatures are taken only while signing)"
            )
        if role not in SIGNING_ROLES:
            raise StepRefused("wrong_role", f"{role} does not sign the plea agreement")
        if document_sha256 != self.agreement_sha256:
            raise StepRefused(
                "wrong_document", "签名时显示的文件不是出示的具结书，请重新显示后再签 "
                "(the signature was made on another document than the agreement presented: "
                "show it again and sign once more)",
            )  # fmt: skip
        self.signatures.add(role)
        if self.signatures >= SIGNING_ROLES:
            return [self._move(Step.COMPLETE_SIGNING, HUB, now)]
        return []

    def restart(self, history: list[StateChanged], now: float) -> list[StateChanged]:
        """The hub started again in the middle of this session, whose stored changes are
        ``history``: the session is taken up where it was, and nothing done has to be done
        again. A live session is interrupted ("hub restarted") until everyone is back and the
        prosecutor resumes it; one that was closing is finished (only its file was left to
        close); one interrupted before stays so, to resume where it was."""
        self.history, self.recording = list(history), False  # a new recorder is to start
        if not history:
            return []
        last = history[-1]
        self.state = last.state
        if last.state is State.INTERRUPTED:
            self._interrupted_from = last.previous
        elif last.state is State.CLOSING:
            return [self._move(Step.FINISH, HUB, now, HUB_RESTARTED)]
        elif last.state in LIVE_STATES:
            return [self._move(Step.INTERRUPT, HUB, now, HUB_RESTARTED)]
        return []

    def recorder_stopped(self, now: float) -> list[StateChanged]:
        """The recorder closed its file at the end of the session."""
        if self.state is State.CLOSING:
            return [self._move(Step.FINISH, HUB, now)]
        return []

    def request(
        self, step: Step | str, role: str, now: float, reason: str = ""
    ) -> list[StateChanged]:
        """A party (or the hub) asks for ``step``; raises :class:`StepRefused` if not allowed."""
        try:
            step = Step(step)
        except ValueError:
            raise StepRefused("unknown_step", f"unknown step {step!r}") from None
        if role not in STEP_ROLES[step]:
            raise StepRefused("wrong_role", f"the {role} may not {step.value.replace('_', ' ')}")
        missing = self._needed(step) - self.connected
        if missing:
            names = ", ".join(sorted(missing))
            raise StepRefused("party_missing", f"{step.value} needs {names} connected")
        if step is Step.INTERRUPT:
            if self.state not in LIVE_STATES:
                raise StepRefused("not_live", f"nothing to interrupt in state {self.state.value}")
            return [self._move(step, role, now, reason or "interrupted")]
        if step is Step.RESUME:
            return [self._resume(role, now)]
        if step not in TRANSITIONS[self.state]:
            raise StepRefused(
                "illegal_step",
                f"{step.value} is not allowed while the session is {self.state.value}",
            )
        if step is Step.PRESENT_AGREEMENT and not self.agreement_sha256:
            raise StepRefused(
                "no_agreement", "请先载入具结书 (load the agreement's PDF before presenting it)"
            )
        return [self._move(step, role, now, reason)]

    # -- internals --------------------------------------------------------------------------

    def _needed(self, step: Step) -> frozenset[str]:
        if step is Step.RESUME:
            return frozenset(self.required_roles)  # a session resumes with everyone back
        needed = STEP_NEEDS_CONNECTED.get(step, frozenset())
        if needed and "interpreter" in self.required_roles:
            needed |= {"interpreter"}  # the suspect must understand what is presented and signed
        if needed and self.minor:
            needed |= {"guardian"}
        return needed

    def _resume(self, role: str, now: float) -> StateChanged:
        if self.state is not State.INTERRUPTED or self._interrupted_from is None:
            raise StepRefused("not_interrupted", "the session is not interrupted")
        if not self.recording:
            raise StepRefused(
                "not_recording", "录像尚未收到各方画面，请稍候再继续 (the recording does not have "
                "every party's picture yet: resume in a moment)",
            )  # fmt: skip
        target = self._interrupted_from
        self._interrupted_from = None
        return self._record(State.INTERRUPTED, target, Step.RESUME, role, now, "")

    def _move(self, step: Step, role: str, now: float, reason: str = "") -> StateChanged:
        if step is Step.INTERRUPT:
            self._interrupted_from = self.state
            target = State.INTERRUPTED
        else:
            target = TRANSITIONS[self.state][step]
        return self._record(self.state, target, step, role, now, reason)

    def _record(
        self, previous: State, state: State, step: Step, role: str, now: float, reason: str
    ) -> StateChanged:
        change = StateChanged(previous, state, step, role, now, reason)
        self.state = state
        self.history.append(change)
        return change
