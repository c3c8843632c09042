"""The evidence archive's custody log: who sealed, planned, burned, checked or opened what.

A custody log is a :class:`recording.archive.ledger.Ledger` (signed, hash-chained JSON lines) in the
archive folder, written with the clerk station's own signing key. Every archive operation
appends one entry, also when it fails (``"ok": false`` and the error), so the log tells the
whole story of each bag and disc:

========  ==============================================================================
event     details
========  ==============================================================================
seal      bag_id, session_id, case_number, files, bytes, manifest_sha256, recipients
plan      plan_id, media, mode, plan_sha256, discs [{disc_id, parts [folder], bags [id]}]
burn      disc_id, copy, target, bytes, seconds, manifests {folder: sha256}, label
verify    disc_id, copy, target, files, bytes, problems [..] (after burning, spot checks)
copy      a bag or disc copied elsewhere (source, destination)
access    a bag or disc listed or inspected
decrypt   files decrypted: source, files [{name, sha256, matches}]
export    decrypted files handed out of the archive: destination, files
========  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from recording.archive.ledger import Entry, Ledger, LedgerError, load_or_create_signing_key
from recording.archive.ledger_check import LedgerReport, check_ledger

EVENTS = frozenset(("seal", "plan", "burn", "verify", "copy", "access", "decrypt", "export"))
ROLE = "evidence clerk"
LOG_NAME = "custody.jsonl"


class CustodyLog:
    """The custody log at ``path``, written as ``actor`` with the key in ``key_path``."""

    def __init__(
        self,
        path: Path,
        key_path: Path,
        actor: str,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        if not actor.strip():
            raise LedgerError("Enter the clerk's name: every custody entry says who acted.")
        self.path = Path(path)
        self.actor = actor.strip()
        self._ledger = Ledger(self.path, load_or_create_signing_key(key_path), clock)

    def record(self, event: str, **details: Any) -> Entry:
        """Append one custody entry and return it."""
        if event not in EVENTS:
            raise LedgerError(f"{event!r} is not a custody event ({', '.join(sorted(EVENTS))}).")
        return self._ledger.append(self.actor, ROLE, event, details)

    def entries(self) -> list[Entry]:
        """Every entry, unchecked, in file order (empty if there is no log yet)."""
        return self._ledger.entries()

    def check(self, trusted_keys: Collection[bytes] | None = None) -> LedgerReport:
        """Check the whole log (see :func:`recording.archive.ledger_check.check_ledger`)."""
        return check_ledger(self.path, trusted_keys)
