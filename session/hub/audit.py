"""The hub's audit trail: every session's events, hash-chained and signed.

One append-only log per session (``<session id>.audit.jsonl``) in the format of
:mod:`recording.archive.ledger`: each entry carries its time on the session clock, the actor, the
role, the event and the SHA-256 of the entry before it, signed with the hub's Ed25519 key. So any
altered, removed, inserted or reordered entry is found by ``pleadesk audit verify``. Appending
fsyncs: the hub calls :meth:`AuditTrail.record` on its database thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recording.archive.ledger import Ledger, load_or_create_signing_key
from session.clock import HubClock


class AuditTrail:
    """Signed, chained logs of sessions in one folder."""

    def __init__(self, folder: Path, key: Ed25519PrivateKey, clock: HubClock) -> None:
        self.folder = folder
        self._key = key
        self._clock = clock
        self._ledgers: dict[str, Ledger] = {}

    @classmethod
    def in_folder(cls, folder: Path, clock: HubClock) -> AuditTrail:
        """The trail in ``folder``, signed with the hub's key there (created on first use).

        The public half is written beside it, for whoever verifies a trail later.
        """
        key = load_or_create_signing_key(folder / "audit-key.pem")
        public = folder / "audit-key.pub.pem"
        if not public.exists():
            public.write_bytes(
                key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        return cls(folder, key, clock)

    def path(self, session_id: str) -> Path:
        """Where the session's trail is."""
        return self.folder / f"{session_id}.audit.jsonl"

    def record(
        self,
        session_id: str,
        actor: str,
        role: str,
        event: str,
        at: float,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one event that happened at session time ``at`` (blocking: it reaches the
        disk before this returns)."""
        ledger = self._ledgers.get(session_id)
        if ledger is None:
            ledger = Ledger(self.path(session_id), self._key, self._wall_now)
            self._ledgers[session_id] = ledger
        ledger.append(actor, role, event, {"session_time": round(at, 3), **(details or {})})

    def _wall_now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.wall()).astimezone()
