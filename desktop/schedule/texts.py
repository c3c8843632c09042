"""Words of the schedule as staff read them: booking states and conflicts, through Qt's
translation system (context ``schedule``)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from session.scheduling.model import RoomKind
from session.scheduling.rules import Conflict, ConflictKind
from session.scheduling.store import BookingState

_STATES = {
    BookingState.BOOKED: QT_TRANSLATE_NOOP("schedule", "Booked"),
    BookingState.BROUGHT_IN: QT_TRANSLATE_NOOP("schedule", "Brought in"),
    BookingState.LIVE: QT_TRANSLATE_NOOP("schedule", "In session"),
    BookingState.SIGNED: QT_TRANSLATE_NOOP("schedule", "Agreement signed"),
    BookingState.ENDED: QT_TRANSLATE_NOOP("schedule", "Ended, not signed"),
    BookingState.RETURNED: QT_TRANSLATE_NOOP("schedule", "Returned"),
}

_ROOM_KINDS = {
    RoomKind.REMOTE_INTERROGATION: QT_TRANSLATE_NOOP("schedule", "Remote interrogation room"),
    RoomKind.PLEA_WORKROOM: QT_TRANSLATE_NOOP("schedule", "Plea workroom"),
    RoomKind.WAITING: QT_TRANSLATE_NOOP("schedule", "Waiting room"),
}

_RESOURCES = {
    "room": QT_TRANSLATE_NOOP("schedule", "room"),
    "suspect": QT_TRANSLATE_NOOP("schedule", "suspect"),
    "prosecutor": QT_TRANSLATE_NOOP("schedule", "prosecutor"),
    "lawyer": QT_TRANSLATE_NOOP("schedule", "duty lawyer"),
    "interpreter": QT_TRANSLATE_NOOP("schedule", "interpreter"),
    "request": QT_TRANSLATE_NOOP("schedule", "request"),
}

_CONFLICTS = {
    ConflictKind.UNKNOWN: QT_TRANSLATE_NOOP("schedule", "There is no {what} {id}."),
    ConflictKind.ROOM_KIND: QT_TRANSLATE_NOOP(
        "schedule", "Room {id} is a waiting room and cannot hold a session."
    ),
    ConflictKind.DURATION: QT_TRANSLATE_NOOP(
        "schedule", "Request {request} needs {detail} minutes."
    ),
    ConflictKind.DOUBLE_BOOKED: QT_TRANSLATE_NOOP(
        "schedule", "The {what} {id} is already booked for request {other} at that time."
    ),
    ConflictKind.CHANGEOVER: QT_TRANSLATE_NOOP(
        "schedule", "The {what} {id} needs {detail} minutes of change-over after request {other}."
    ),
    ConflictKind.UNAVAILABLE: QT_TRANSLATE_NOOP(
        "schedule", "The {what} {id} is not available {detail}."
    ),
    ConflictKind.WRONG_PROSECUTOR: QT_TRANSLATE_NOOP(
        "schedule", "Request {request} must be held by prosecutor {detail}."
    ),
    ConflictKind.INTERPRETER_MISSING: QT_TRANSLATE_NOOP(
        "schedule", "Request {request} needs an interpreter for {detail}."
    ),
    ConflictKind.INTERPRETER_LANGUAGE: QT_TRANSLATE_NOOP(
        "schedule", "Interpreter {id} does not speak {detail}."
    ),
    ConflictKind.BOOKED_TWICE: QT_TRANSLATE_NOOP(
        "schedule", "Request {request} is booked more than once."
    ),
}


def tr(text: object) -> str:
    """``text`` (a source text) translated in the schedule's context."""
    return QCoreApplication.translate("schedule", str(text))


def state_text(state: BookingState) -> str:
    """A booking state's name for staff."""
    return tr(_STATES[state])


def room_kind_text(kind: RoomKind) -> str:
    """What a kind of room is called."""
    return tr(_ROOM_KINDS[kind])


def conflict_text(conflict: Conflict) -> str:
    """A conflict in plain words for staff."""
    return tr(_CONFLICTS[conflict.kind]).format(
        what=tr(_RESOURCES.get(conflict.resource, conflict.resource)),
        id=conflict.resource_id,
        request=conflict.request,
        other=conflict.other_request or "",
        detail=conflict.detail,
    )
