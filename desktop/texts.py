"""Names of roles and session states, and what is wrong with the devices, as users read them,
through Qt's translation system."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_ROLES = {
    "suspect": QT_TRANSLATE_NOOP("roles", "Suspect"),
    "prosecutor": QT_TRANSLATE_NOOP("roles", "Prosecutor"),
    "lawyer": QT_TRANSLATE_NOOP("roles", "Duty lawyer"),
    "recorder": QT_TRANSLATE_NOOP("roles", "Recorder"),
}
_STATES = {
    "unknown": QT_TRANSLATE_NOOP("states", "Connecting"),
    "scheduled": QT_TRANSLATE_NOOP("states", "Waiting for the parties"),
    "room_ready": QT_TRANSLATE_NOOP("states", "All parties present"),
    "recording": QT_TRANSLATE_NOOP("states", "Recording started"),
    "announced": QT_TRANSLATE_NOOP("states", "Recording announced"),
    "rights_notified": QT_TRANSLATE_NOOP("states", "Rights notice read"),
    "hearing": QT_TRANSLATE_NOOP("states", "Hearing"),
    "private_consultation": QT_TRANSLATE_NOOP("states", "Private consultation"),
    "agreement_presented": QT_TRANSLATE_NOOP("states", "Agreement presented"),
    "signing": QT_TRANSLATE_NOOP("states", "Signing"),
    "signed": QT_TRANSLATE_NOOP("states", "Agreement signed"),
    "closing": QT_TRANSLATE_NOOP("states", "Closing"),
    "closed": QT_TRANSLATE_NOOP("states", "Session closed"),
    "interrupted": QT_TRANSLATE_NOOP("states", "Interrupted"),
    "no_agreement_path": QT_TRANSLATE_NOOP("states", "No agreement signed"),
}
_STEPS = {
    "announce": QT_TRANSLATE_NOOP("steps", "Announce the recording"),
    "notify_rights": QT_TRANSLATE_NOOP("steps", "Read the rights notice"),
    "begin_hearing": QT_TRANSLATE_NOOP("steps", "Begin the hearing"),
    "present_agreement": QT_TRANSLATE_NOOP("steps", "Present the agreement"),
    "begin_signing": QT_TRANSLATE_NOOP("steps", "Begin signing"),
    "close": QT_TRANSLATE_NOOP("steps", "Close the session"),
    "resume": QT_TRANSLATE_NOOP("steps", "Resume the session"),
}

#: What is wrong with a device, by ``recording.media.devices.DeviceProblem.code``.
_DEVICE_PROBLEMS = {
    "no_camera": QT_TRANSLATE_NOOP(
        "devices", "The camera was not found. Connect it, or choose another, before joining."
    ),
    "camera_failed": QT_TRANSLATE_NOOP(
        "devices", "The camera could not be opened. Is another program using it?"
    ),
    "no_microphone": QT_TRANSLATE_NOOP(
        "devices", "The microphone was not found. Connect it, or choose another, before joining."
    ),
    "microphone_failed": QT_TRANSLATE_NOOP("devices", "The microphone could not be opened."),
    "no_speaker": QT_TRANSLATE_NOOP(
        "devices", "The speaker was not found. Connect it, or choose another, before joining."
    ),
    "speaker_failed": QT_TRANSLATE_NOOP("devices", "The speaker could not be opened."),
    "no_sound_library": QT_TRANSLATE_NOOP(
        "devices", "The sound library (PortAudio) is missing: install the package libportaudio2."
    ),
    "microphones_unreadable": QT_TRANSLATE_NOOP(
        "devices", "The computer's sound devices could not be read. Check its sound settings."
    ),
}
DEVICES_NOT_READY = QT_TRANSLATE_NOOP("devices", "The devices are not ready")


def device_problem_text(code: str, details: str) -> str:
    """What is wrong with a device, for the user; ``details`` (the device's own words) where
    the problem has no text of its own."""
    text = _DEVICE_PROBLEMS.get(code)
    return QCoreApplication.translate("devices", str(text)) if text else details


def role_label(role: str) -> str:
    """A role's name for the user."""
    return QCoreApplication.translate("roles", str(_ROLES.get(role, role)))


def state_label(state: str) -> str:
    """A session state's name for the user."""
    return QCoreApplication.translate("states", str(_STATES.get(state, state)))


def step_label(step: str) -> str:
    """A step's button text."""
    return QCoreApplication.translate("steps", str(_STEPS.get(step, step)))
