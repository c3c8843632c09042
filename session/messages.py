"""Signaling messages between stations and the hub, validated at the boundary.

Every message is one JSON object with a ``type``. :func:`parse` turns raw text into one of the
frozen dataclasses below or raises :class:`MessageError`; ``to_json`` goes the other way.
Limits are enforced here, before any field reaches the session logic.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, asdict, dataclass, field
from typing import Any, ClassVar

#: Largest message accepted: an SDP is a few KB; a signature's strokes are the largest payload.
MAX_MESSAGE_BYTES = 512 * 1024
#: Largest message on the session's data channel: what aiortc accepts (a signature of several
#: thousand pen samples).
MAX_CHANNEL_BYTES = 256 * 1024
#: Most pen samples in one live stroke (a second or two of writing at a pen's sample rate).
MAX_STROKE_POINTS = 2_000
ROLES = frozenset({"suspect", "prosecutor", "lawyer", "guardian", "interpreter", "technician"})
#: The hub's recorder is addressed like a party in ``signal`` messages.
RECORDER = "recorder"


class MessageError(ValueError):
    """A message was malformed, too large, or of an unknown type."""


@dataclass(frozen=True)
class Message:
    """Base of all messages; subclasses set ``type``."""

    type: ClassVar[str] = ""

    def to_json(self) -> str:
        """The message as JSON text."""
        return json.dumps({"type": self.type, **asdict(self)}, ensure_ascii=False)


@dataclass(frozen=True)
class Join(Message):
    """Station → hub: join the session in ``role``."""

    type: ClassVar[str] = "join"
    role: str
    token: str


@dataclass(frozen=True)
class Welcome(Message):
    """Hub → station: joined; these parties are already present."""

    type: ClassVar[str] = "welcome"
    session_id: str
    role: str
    state: str
    present: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PeerJoined(Message):
    """Hub → station: another party joined (it will send offers)."""

    type: ClassVar[str] = "peer_joined"
    role: str


@dataclass(frozen=True)
class PeerLeft(Message):
    """Hub → station: another party left or dropped."""

    type: ClassVar[str] = "peer_left"
    role: str


@dataclass(frozen=True)
class Signal(Message):
    """WebRTC session description between two parties; ``peer`` is the other end.

    From a station, ``peer`` is the addressee; from the hub, it is the sender.
    """

    type: ClassVar[str] = "signal"
    peer: str
    kind: str
    sdp: str


@dataclass(frozen=True)
class RequestStep(Message):
    """Station → hub: ask for the next step of the session."""

    type: ClassVar[str] = "request_step"
    step: str
    reason: str = ""


@dataclass(frozen=True)
class SubmitSignature(Message):
    """Station → hub over the data channel: a handwritten signature, as strokes (see
    documents.signature), bound to the document the signer saw."""

    type: ClassVar[str] = "signature"
    signature: dict[str, Any]


@dataclass(frozen=True)
class StateUpdate(Message):
    """Hub → every station: the session moved to ``state``."""

    type: ClassVar[str] = "state"
    state: str
    previous: str
    step: str
    role: str
    at: float
    reason: str = ""


@dataclass(frozen=True)
class Refused(Message):
    """Hub → station: what it asked for was refused, with a code and words for the user."""

    type: ClassVar[str] = "refused"
    code: str
    message: str


@dataclass(frozen=True)
class ClockPing(Message):
    """Station → hub: what is the session time? ``t0`` is the station's own clock."""

    type: ClassVar[str] = "clock_ping"
    t0: float


@dataclass(frozen=True)
class ClockPong(Message):
    """Hub → station: the ping's ``t0``, and session time on arrival (t1) and reply (t2)."""

    type: ClassVar[str] = "clock_pong"
    t0: float
    t1: float
    t2: float


@dataclass(frozen=True)
class MediaOrigin(Message):
    """When the frame ``media_time`` seconds into a stream to ``peer`` was captured.

    aiortc starts every received stream's timestamps at zero; with this the receiver places
    each frame at its capture time: ``capture_time + pts * time_base - media_time``. From a
    station ``peer`` is the receiver; from the hub it is the sender.
    """

    type: ClassVar[str] = "media_origin"
    peer: str
    kind: str
    capture_time: float
    media_time: float = 0.0


# -- over the session's data channel (station ↔ hub), beside the media ----------------------
# From a station ``role`` is left empty: the hub knows who sent it and fills it in when it
# passes the message on to the other parties.


@dataclass(frozen=True)
class ShowPage(Message):
    """The page of a document (by the SHA-256 of its PDF) a party has on screen."""

    type: ClassVar[str] = "show_page"
    document_sha256: str
    page: int
    role: str = ""


@dataclass(frozen=True)
class RaiseHand(Message):
    """A party raises (or lowers) a hand: it wants to speak."""

    type: ClassVar[str] = "raise_hand"
    raised: bool
    role: str = ""


@dataclass(frozen=True)
class Stroke(Message):
    """One pen stroke of a signature as it is written, so the witness sees the writing live.

    ``points`` are ``[x, y, t, pressure]`` on a pad of ``width`` × ``height``; the signature
    itself follows, whole, as :class:`SubmitSignature`.
    """

    type: ClassVar[str] = "stroke"
    width: int
    height: int
    points: list[list[float]]
    role: str = ""


#: What travels over the data channel rather than the signaling connection.
CHANNEL_MESSAGES = (ShowPage, RaiseHand, Stroke, SubmitSignature)

_TYPES: dict[str, type[Message]] = {
    cls.type: cls
    for cls in (
        ClockPing,
        ClockPong,
        MediaOrigin,
        Join,
        Welcome,
        PeerJoined,
        PeerLeft,
        Signal,
        RequestStep,
        SubmitSignature,
        StateUpdate,
        Refused,
        ShowPage,
        RaiseHand,
        Stroke,
    )
}
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "float": (int, float),
    "int": int,
    "bool": bool,
    "list[str]": list,
    "list[list[float]]": list,
    "dict[str, Any]": dict,
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def parse(text: str | bytes, limit: int = MAX_MESSAGE_BYTES) -> Message:
    """Parse and validate one message of at most ``limit`` bytes; raise
    :class:`MessageError` on anything unexpected."""
    if len(text) > limit:
        raise MessageError(f"message of {len(text)} bytes exceeds {limit}")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MessageError("a message must be a JSON object")
    cls = _TYPES.get(data.pop("type", None))
    if cls is None:
        raise MessageError("unknown or missing message type")
    fields = cls.__dataclass_fields__
    unknown = set(data) - set(fields)
    if unknown:
        raise MessageError(f"unknown fields in {cls.type}: {', '.join(sorted(unknown))}")
    for name, spec in fields.items():
        if spec.type == "ClassVar[str]":
            continue
        if name not in data:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise MessageError(f"{cls.type} is missing {name}")
            continue
        expected = _FIELD_TYPES[str(spec.type)]
        is_bool = isinstance(data[name], bool)
        if not isinstance(data[name], expected) or is_bool != (expected is bool):
            raise MessageError(f"{cls.type}.{name} has the wrong type")
    message = cls(**data)
    _check_roles(message)
    _check_channel(message)
    return message


def _check_roles(message: Message) -> None:
    role = getattr(message, "role", None)
    if isinstance(message, Join | PeerJoined | PeerLeft) and role not in ROLES:
        raise MessageError(f"unknown role {role!r}")
    if isinstance(message, Signal | MediaOrigin) and message.peer not in ROLES | {RECORDER}:
        raise MessageError(f"unknown peer {message.peer!r}")
    if isinstance(message, Signal) and message.kind not in ("offer", "answer"):
        raise MessageError(f"unknown description kind {message.kind!r}")
    if isinstance(message, MediaOrigin) and message.kind not in ("audio", "video"):
        raise MessageError(f"unknown media kind {message.kind!r}")


def _check_channel(message: Message) -> None:
    role = getattr(message, "role", "")
    if isinstance(message, CHANNEL_MESSAGES) and role and role not in ROLES:
        raise MessageError(f"unknown role {role!r}")
    if isinstance(message, ShowPage):
        if not _SHA256.fullmatch(message.document_sha256):
            raise MessageError("show_page.document_sha256 is not a SHA-256 hex digest")
        if message.page < 1:
            raise MessageError("show_page.page counts from 1")
    if isinstance(message, Stroke):
        if not 0 < len(message.points) <= MAX_STROKE_POINTS:
            raise MessageError(f"a stroke has 1 to {MAX_STROKE_POINTS} points")
        for point in message.points:
            if not (
                isinstance(point, list)
                and len(point) == 4
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            ):
                raise MessageError("a stroke's points are [x, y, t, pressure] numbers")
