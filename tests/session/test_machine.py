"""The session state machine: lawful order, roles, preconditions, interruptions."""

import pytest

from session.machine import SessionMachine, State, Step, StepRefused

LAWFUL_STEPS = [
    (Step.ANNOUNCE, "prosecutor"),
    (Step.NOTIFY_RIGHTS, "prosecutor"),
    (Step.BEGIN_HEARING, "prosecutor"),
    (Step.BEGIN_CONSULTATION, "lawyer"),
    (Step.END_CONSULTATION, "lawyer"),
    (Step.PRESENT_AGREEMENT, "prosecutor"),
    (Step.BEGIN_SIGNING, "prosecutor"),
]


AGREEMENT = "cd" * 32


def recording_session() -> SessionMachine:
    machine = SessionMachine()
    for role in ("suspect", "prosecutor", "lawyer"):
        machine.party_joined(role, 0.0)
    machine.recorder_started(1.0)
    machine.agreement_loaded(AGREEMENT, "prosecutor")
    return machine


def test_a_whole_session_passes_every_state_in_the_lawful_order():
    machine = recording_session()
    for step, role in LAWFUL_STEPS:
        machine.request(step, role, 2.0)
    machine.signature_received("suspect", 3.0, AGREEMENT)
    machine.signature_received("lawyer", 4.0, AGREEMENT)
    machine.request(Step.CLOSE, "prosecutor", 5.0)
    machine.recorder_stopped(6.0)

    assert machine.states_passed == [
        "scheduled",
        "room_ready",
        "recording",
        "announced",
        "rights_notified",
        "hearing",
        "private_consultation",
        "hearing",
        "agreement_presented",
        "signing",
        "signed",
        "closing",
        "closed",
    ]
    assert [c.role for c in machine.history[:2]] == ["hub", "hub"]


def test_the_room_is_ready_only_when_every_party_has_joined():
    machine = SessionMachine()
    assert machine.party_joined("suspect", 0.0) == []
    assert machine.party_joined("prosecutor", 0.0) == []
    assert machine.state is State.SCHEDULED
    assert machine.party_joined("lawyer", 0.0)[0].state is State.ROOM_READY


def test_nothing_is_said_before_the_recording_runs():
    machine = SessionMachine()
    for role in ("suspect", "prosecutor", "lawyer"):
        machine.party_joined(role, 0.0)
    with pytest.raises(StepRefused) as refused:
        machine.request(Step.ANNOUNCE, "prosecutor", 1.0)
    assert refused.value.code == "illegal_step"


def test_the_hearing_cannot_skip_the_rights_notice():
    machine = recording_session()
    machine.request(Step.ANNOUNCE, "prosecutor", 1.0)
    with pytest.raises(StepRefused, match="begin_hearing is not allowed"):
        machine.request(Step.BEGIN_HEARING, "prosecutor", 2.0)


def test_only_the_prosecutor_runs_the_steps_and_only_the_hub_records():
    machine = recording_session()
    with pytest.raises(StepRefused) as refused:
        machine.request(Step.ANNOUNCE, "suspect", 1.0)
    assert refused.value.code == "wrong_role"
    with pytest.raises(StepRefused):
        SessionMachine().request(Step.START_RECORDING, "prosecutor", 0.0)


def test_signing_needs_the_lawyer_connected():
    machine = recording_session()
    for step, role in LAWFUL_STEPS[:3] + LAWFUL_STEPS[5:6]:
        machine.request(step, role, 1.0)
    machine.party_left("lawyer", 2.0)
    assert machine.state is State.INTERRUPTED
    with pytest.raises(StepRefused) as refused:
        machine.request(Step.RESUME, "prosecutor", 3.0)
    assert refused.value.code == "party_missing"


def test_an_interruption_is_logged_and_resuming_returns_to_the_step_it_left():
    machine = recording_session()
    machine.request(Step.ANNOUNCE, "prosecutor", 1.0)
    (change,) = machine.party_left("suspect", 2.0)
    assert change.state is State.INTERRUPTED
    assert change.reason == "suspect disconnected"
    machine.party_joined("suspect", 3.0)
    (resumed,) = machine.request(Step.RESUME, "prosecutor", 4.0)
    assert resumed.state is State.ANNOUNCED


def test_signing_completes_only_with_both_signatures():
    machine = recording_session()
    for step, role in LAWFUL_STEPS[:3] + LAWFUL_STEPS[5:]:
        machine.request(step, role, 1.0)
    assert machine.signature_received("suspect", 2.0, AGREEMENT) == []
    (signed,) = machine.signature_received("lawyer", 3.0, AGREEMENT)
    assert signed.state is State.SIGNED


def test_the_agreement_must_be_loaded_before_it_is_presented():
    machine = SessionMachine()
    for role in ("suspect", "prosecutor", "lawyer"):
        machine.party_joined(role, 0.0)
    machine.recorder_started(1.0)
    for step, role in LAWFUL_STEPS[:3]:
        machine.request(step, role, 1.0)
    with pytest.raises(StepRefused) as refused:
        machine.request(Step.PRESENT_AGREEMENT, "prosecutor", 2.0)
    assert refused.value.code == "no_agreement"
    with pytest.raises(StepRefused, match="the lawyer may not load"):
        machine.agreement_loaded(AGREEMENT, "lawyer")
    machine.agreement_loaded(AGREEMENT, "prosecutor")
    assert machine.request(Step.PRESENT_AGREEMENT, "prosecutor", 3.0)[0].state is (
        State.AGREEMENT_PRESENTED
    )


def test_a_signature_counts_only_on_the_agreement_presented_and_that_is_fixed_once_signing():
    machine = recording_session()
    for step, role in LAWFUL_STEPS[:3] + LAWFUL_STEPS[5:]:
        machine.request(step, role, 1.0)
    for shown in ("", "ef" * 32):
        with pytest.raises(StepRefused) as refused:
            machine.signature_received("suspect", 2.0, shown)
        assert refused.value.code == "wrong_document"
    assert machine.signatures == set()
    with pytest.raises(StepRefused) as refused:
        machine.agreement_loaded("ef" * 32, "prosecutor")
    assert refused.value.code == "agreement_fixed"
    machine.party_left("lawyer", 3.0)  # interrupted while signing: still fixed
    with pytest.raises(StepRefused, match="can no longer be replaced"):
        machine.agreement_loaded("ef" * 32, "prosecutor")


def test_a_signature_outside_signing_is_refused():
    machine = recording_session()
    with pytest.raises(StepRefused) as refused:
        machine.signature_received("suspect", 1.0)
    assert refused.value.code == "not_signing"


def test_an_unknown_step_is_refused_with_a_clear_code():
    with pytest.raises(StepRefused) as refused:
        recording_session().request("skip_to_the_end", "prosecutor", 1.0)
    assert refused.value.code == "unknown_step"


def test_a_minor_is_presented_the_agreement_only_with_the_guardian_there():
    parties = ("suspect", "prosecutor", "lawyer", "guardian")
    machine = SessionMachine(required_roles=parties, minor=True)
    for role in parties:
        machine.party_joined(role, 0.0)
    machine.recorder_started(0.0)
    for step, role in LAWFUL_STEPS[:3]:
        machine.request(step, role, 1.0)
    machine.party_left("guardian", 2.0)
    machine.party_joined("guardian", 3.0)
    machine.request(Step.RESUME, "prosecutor", 4.0)
    machine.connected.discard("guardian")  # gone again, between two checks
    with pytest.raises(StepRefused, match="guardian"):
        machine.request(Step.PRESENT_AGREEMENT, "prosecutor", 5.0)


def test_an_interpreted_session_needs_the_interpreter_to_present_and_sign():
    parties = ("suspect", "prosecutor", "lawyer", "interpreter")
    machine = SessionMachine(required_roles=parties)
    for role in parties:
        machine.party_joined(role, 0.0)
    assert machine.state is State.ROOM_READY
    machine.recorder_started(0.0)
    for step, role in LAWFUL_STEPS[:3]:
        machine.request(step, role, 1.0)
    machine.connected.discard("interpreter")
    with pytest.raises(StepRefused, match="interpreter"):
        machine.request(Step.PRESENT_AGREEMENT, "prosecutor", 2.0)


def test_the_room_is_not_ready_while_a_booked_guardian_is_missing():
    machine = SessionMachine(required_roles=("suspect", "prosecutor", "lawyer", "guardian"))
    for role in ("suspect", "prosecutor", "lawyer"):
        assert machine.party_joined(role, 0.0) == []
    assert machine.state is State.SCHEDULED


def restarted(machine: SessionMachine, recording: bool = True) -> tuple[SessionMachine, list]:
    """A fresh machine (the hub started again) given ``machine``'s stored history and
    signatures, with every party back (and, if ``recording``, in the new recording)."""
    again = SessionMachine()
    again.agreement_sha256, again.signatures = machine.agreement_sha256, set(machine.signatures)
    effects = again.restart(list(machine.history), 50.0)
    for role in ("suspect", "prosecutor", "lawyer"):
        again.party_joined(role, 51.0)
    if recording:
        again.recorder_started(51.0)
    return again, effects


def test_after_a_hub_restart_a_live_session_is_interrupted_and_resumes_where_it_was():
    machine = recording_session()
    for step, role in LAWFUL_STEPS[:3]:
        machine.request(step, role, 2.0)
    again, effects = restarted(machine, recording=False)
    assert [(c.previous, c.state, c.reason) for c in effects] == [
        (State.HEARING, State.INTERRUPTED, "hub restarted")
    ]
    with pytest.raises(StepRefused) as refused:  # not before the new recording has everyone
        again.request(Step.RESUME, "prosecutor", 52.0)
    assert refused.value.code == "not_recording"
    again.recorder_started(52.0)
    again.request(Step.RESUME, "prosecutor", 52.0)
    assert again.state is State.HEARING
    assert again.states_passed == [*machine.states_passed, "interrupted", "hearing"]
    with pytest.raises(StepRefused):  # nothing already done is done again
        again.request(Step.NOTIFY_RIGHTS, "prosecutor", 53.0)


def test_after_a_hub_restart_a_signature_given_before_still_counts():
    machine = recording_session()
    for step, role in LAWFUL_STEPS:
        machine.request(step, role, 2.0)
    machine.signature_received("suspect", 3.0, AGREEMENT)
    again, _ = restarted(machine)
    again.request(Step.RESUME, "prosecutor", 52.0)
    assert again.state is State.SIGNING
    again.signature_received("lawyer", 53.0, AGREEMENT)
    assert again.state is State.SIGNED


def test_after_a_hub_restart_an_interrupted_session_resumes_to_the_step_it_left():
    machine = recording_session()
    machine.request(Step.ANNOUNCE, "prosecutor", 2.0)
    machine.party_left("lawyer", 3.0)
    again, effects = restarted(machine)
    assert effects == [] and again.state is State.INTERRUPTED
    again.request(Step.RESUME, "prosecutor", 52.0)
    assert again.state is State.ANNOUNCED


def test_after_a_hub_restart_a_closing_session_is_finished_and_a_new_one_waits():
    machine = recording_session()
    for step, role in LAWFUL_STEPS[:3]:
        machine.request(step, role, 2.0)
    machine.request(Step.DECLINE_AGREEMENT, "prosecutor", 3.0)
    machine.request(Step.CLOSE, "prosecutor", 4.0)
    again, effects = restarted(machine)
    assert [(c.state, c.step) for c in effects] == [(State.CLOSED, Step.FINISH)]
    assert again.state is State.CLOSED
    waiting = SessionMachine()
    assert waiting.restart([], 50.0) == [] and waiting.state is State.SCHEDULED
