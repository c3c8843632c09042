"""An append-only, hash-chained, signed log in JSON lines: custody records and audit trails.

Theory of operation. Each line of the file is one entry, a JSON object in canonical form (keys
sorted, no spaces, UTF-8):

    {"actor": "...", "details": {...}, "event": "seal", "key": "<Ed25519 public key, b64>",
     "prev": "<SHA-256 hex of the previous line>", "role": "clerk", "seq": 7,
     "sig": "<Ed25519 signature, b64>", "time": "2026-11-22T09:30:00.000+08:00"}

``seq`` counts from 1; ``prev`` of the first entry is 64 zeros; ``sig`` signs the canonical
form of every other field. So an entry cannot be changed without its signature failing, and no
entry can be removed, inserted or moved without the chain of ``prev`` hashes or the sequence
numbers showing it (:mod:`recording.archive.ledger_check` names each problem). Only the end of the
log can be cut off unseen, unless the caller keeps the last entry's ``seq`` and hash elsewhere (a
disc label, a signed statement): :func:`recording.archive.ledger_check.check_ledger` compares them.

Appends take an exclusive lock on the file, write the line with one ``write`` and fsync it, so
several processes (the clerk's window and the command line) can share a log. The signing key
is an Ed25519 key in a PEM file, created (mode 0600) on first use. Times come from an injected
clock. Nothing here is specific to custody; the session audit trail uses the same log.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recording.archive.errors import ArchiveError

Clock = Callable[[], datetime]
"""Returns the current time, with its UTC offset."""

GENESIS = "0" * 64
_FIELDS = ("actor", "details", "event", "key", "prev", "role", "seq", "sig", "time")
_MAX_LINE = 1024 * 1024


class LedgerError(ArchiveError):
    """The log cannot be written or read (bad key file, damaged last line, bad entry)."""


def canonical(value: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of ``value``: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def line_hash(line: bytes) -> str:
    """The SHA-256 (hex) of one stored line without its newline: what the next ``prev`` holds."""
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def key_fingerprint(public_key: bytes) -> str:
    """A short name for a signing key: the first 16 hex digits of SHA-256 of the raw key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One log entry as stored; ``details`` is any JSON object."""

    seq: int
    time: str
    actor: str
    role: str
    event: str
    details: dict[str, Any] = field(hash=False)
    prev: str
    key: str
    sig: str

    def unsigned(self) -> dict[str, Any]:
        """Every field but the signature: what the signature covers."""
        return {name: getattr(self, name) for name in _FIELDS if name != "sig"}

    def to_line(self) -> bytes:
        """The canonical stored form, without the newline."""
        return canonical({**self.unsigned(), "sig": self.sig})

    @property
    def public_key(self) -> bytes:
        """The raw Ed25519 public key that signed this entry."""
        return base64.b64decode(self.key)

    @classmethod
    def from_line(cls, line: bytes) -> Entry:
        """Parse one stored line; raises ValueError if it is not an entry's shape."""
        data = json.loads(line)
        if not isinstance(data, dict) or sorted(data) != sorted(_FIELDS):
            raise ValueError("not a log entry")
        text = ("time", "actor", "role", "event", "prev", "key", "sig")
        if not all(isinstance(data[name], str) for name in text):
            raise ValueError("a text field is not text")
        if type(data["seq"]) is not int or not isinstance(data["details"], dict):
            raise ValueError("bad seq or details")
        return cls(**data)


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load the Ed25519 key in PEM file ``path``; create it (mode 0600) if it does not exist."""
    path = Path(path)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_signing_key(path)  # another process made it just now
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            os.fsync(out.fileno())
        return key
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise LedgerError(
            f"The signing key file {path} cannot be read ({exc}). Restore it from its backup; "
            "do not create a new one in its place."
        ) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise LedgerError(f"The signing key file {path} does not hold an Ed25519 key.")
    return loaded


def read_lines(path: Path) -> Iterator[bytes]:
    """The stored lines of the log, newline removed (a missing file has none)."""
    try:
        with open(path, "rb") as fin:
            for line in fin:
                yield line.rstrip(b"\n")
    except FileNotFoundError:
        return


def _last_line(fd: int) -> bytes | None:
    """The last line of the open file (None if empty); refuses a line cut by a crash."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    tail = b""
    position = size
    while position > 0 and b"\n" not in tail[:-1]:
        step = min(65536, position)
        position -= step
        tail = os.pread(fd, step, position) + tail
        if len(tail) > _MAX_LINE + 1:
            break
    if not tail.endswith(b"\n"):
        raise LedgerError(
            "The log's last entry is incomplete (a write was interrupted). Nothing more can "
            "be added until a technician has checked the log with 'custody verify'."
        )
    return tail[:-1].rsplit(b"\n", 1)[-1]


class Ledger:
    """Appends signed, chained entries to the log at ``path``."""

    def __init__(
        self,
        path: Path,
        key: Ed25519PrivateKey,
        clock: Clock = lambda: datetime.now().astimezone(),
    ) -> None:
        self.path = Path(path)
        self._key = key
        self._public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
        self._clock = clock

    def append(
        self, actor: str, role: str, event: str, details: Mapping[str, Any] | None = None
    ) -> Entry:
        """Sign and append one entry; return it once it is on disk."""
        if not event or "\n" in event:
            raise LedgerError(f"{event!r} cannot be used as an event name.")
        details = dict(details or {})
        canonical(details)  # fail here, before the lock, on anything JSON cannot hold
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_line(fd)
            if last is None:
                seq, prev = 1, GENESIS
            else:
                try:
                    seq, prev = Entry.from_line(last).seq + 1, line_hash(last)
                except ValueError:
                    raise LedgerError(
                        f"The last line of {self.path} is not a log entry; nothing more can be "
                        "added until a technician has checked the log with 'custody verify'."
                    ) from None
            when = self._clock().isoformat(timespec="milliseconds")
            fields = {
                "seq": seq,
                "time": when,
                "actor": actor,
                "role": role,
                "event": event,
                "details": details,
                "prev": prev,
                "key": self._public,
            }
            signature = self._key.sign(canonical(fields))
            entry = Entry(**fields, sig=base64.b64encode(signature).decode())  # type: ignore[arg-type]
            os.write(fd, entry.to_line() + b"\n")
            os.fsync(fd)
            return entry
        finally:
            os.close(fd)  # also releases the lock

    def entries(self) -> list[Entry]:
        """Every entry as stored, unchecked (see :mod:`recording.archive.ledger_check` to
        verify)."""
        return [Entry.from_line(line) for line in read_lines(self.path) if line]
