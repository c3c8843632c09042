"""The clerk's queue: finished sessions waiting to be sealed, bags and discs waiting to be burned.

Finished sessions are folders, one per session, each with a ``summary.json`` as the demo
writes it. The keys read (paths absolute or relative to the folder):

* ``session_id``, ``case_number`` (required), ``recording`` (required: one path or a list);
* optional: every ``*_pdf`` key (``agreement_pdf``, ``rights_notice_pdf``, ...; null when
  there is none) and ``audit_log``, a path each; ``*_pdfs`` keys (``english_pdfs``: kept in
  ``documents/english/``), ``party_recordings`` and ``documents``, ``{name: path}`` or a list
  of paths; ``timeline`` (``[{"at": unix time}, ...]``) and ``recorder``.

The archive's state is not kept anywhere but in the custody log: :meth:`QueueState.from_entries`
folds its entries (seal, plan, burn, verify) into what is sealed, planned, burned and verified.
So the queue can never disagree with the signed record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from recording.archive.errors import ArchiveError
from recording.archive.ledger import Entry

SUMMARY = "summary.json"


class SessionFolderError(ArchiveError):
    """A finished session's folder cannot be read (summary missing, malformed, files missing)."""


@dataclass(frozen=True)
class FinishedSession:
    """A finished session ready to seal: ids, times, and its evidence files by archive name."""

    folder: Path
    session_id: str
    case_number: str
    payload: tuple[tuple[str, Path], ...]
    started: datetime | None
    ended: datetime | None
    recorder: str
    day: str

    @property
    def bag_id(self) -> str:
        """The bag's name: ``S<day>-<start of the session id>``, letters and digits only."""
        return f"S{self.day}-{re.sub(r'[^A-Za-z0-9]', '', self.session_id)[:12]}"

    @property
    def size(self) -> int:
        """Bytes of evidence to seal."""
        return sum(path.stat().st_size for _, path in self.payload)


def _paths(value: Any, folder: Path) -> list[tuple[str, Path]]:
    """(name, path) pairs from a path, a list of paths or a {name: path} mapping."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping):
        items = [(str(name), str(path)) for name, path in value.items()]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [(Path(v).name, v) for v in value]
    else:
        raise ValueError(f"expected a path, a list or a mapping, not {value!r}")
    return [(name, folder / path) for name, path in items]


def _payload(summary: Mapping[str, Any], folder: Path) -> list[tuple[str, Path]]:
    payload = [(f"recording/{n}", p) for n, p in _paths(summary["recording"], folder)]
    for role, path in _paths(summary.get("party_recordings"), folder):
        payload.append((f"recording/parties/{role}{''.join(path.suffixes)}", path))
    for key in sorted(summary):
        if key.endswith("_pdf") or key == "documents":
            for name, path in _paths(summary[key], folder):
                payload.append((f"documents/{name}", path))
        elif key.endswith("_pdfs"):  # e.g. english_pdfs: translations, kept apart
            for name, path in _paths(summary[key], folder):
                payload.append((f"documents/{key.removesuffix('_pdfs')}/{name}", path))
    for name, path in _paths(summary.get("audit_log"), folder):
        payload.append((f"logs/{name}", path))
    payload.append((f"logs/{SUMMARY}", folder / SUMMARY))
    return payload


def _time(at: Any) -> datetime | None:
    return datetime.fromtimestamp(float(at)).astimezone() if at is not None else None


def read_finished_session(folder: Path) -> FinishedSession:
    """Read one session folder; raises :class:`SessionFolderError` saying what is wrong."""
    folder = Path(folder)
    try:
        summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        timeline = summary.get("timeline") or []
        started = _time(timeline[0].get("at")) if timeline else None
        # Without a timeline, the day the summary was written is the session's day.
        day = started or _time((folder / SUMMARY).stat().st_mtime)
        session = FinishedSession(
            folder,
            str(summary["session_id"]),
            str(summary["case_number"]),
            tuple(_payload(summary, folder)),
            started,
            _time(timeline[-1].get("at")) if timeline else None,
            str(summary.get("recorder", "PleaDesk hub recorder")),
            day.strftime("%Y%m%d") if day else "00000000",
        )
    except FileNotFoundError:
        raise SessionFolderError(
            f"{folder} has no {SUMMARY}: it is not a finished session."
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SessionFolderError(
            f"The session summary in {folder} cannot be read ({type(exc).__name__}: {exc}). "
            "Ask the technician to check the session's folder."
        ) from None
    names = [name for name, _ in session.payload]
    duplicates = {name for name in names if names.count(name) > 1}
    missing = [str(path) for _, path in session.payload if not path.is_file()]
    if duplicates or missing:
        what = (
            f"missing files: {', '.join(missing)}"
            if missing
            else f"two files named {duplicates.pop()}"
        )
        raise SessionFolderError(f"The session in {folder} cannot be sealed: {what}.")
    return session


def find_finished_sessions(
    sessions_dir: Path,
) -> tuple[list[FinishedSession], list[tuple[Path, str]]]:
    """Every session folder under ``sessions_dir`` (and one folder deeper): (sessions, problems)."""
    sessions: list[FinishedSession] = []
    problems: list[tuple[Path, str]] = []
    candidates = sorted(
        {p.parent for p in Path(sessions_dir).glob(SUMMARY)}
        | {p.parent for p in Path(sessions_dir).glob(f"*/{SUMMARY}")}
    )
    for folder in candidates:
        try:
            sessions.append(read_finished_session(folder))
        except SessionFolderError as exc:
            problems.append((folder, str(exc)))
    return sessions, problems


@dataclass(frozen=True)
class SealedBagRecord:
    """A sealed bag as the custody log recorded it."""

    bag_id: str
    session_id: str
    case_number: str
    bytes: int
    manifest_sha256: str


@dataclass(frozen=True)
class DiscRecord:
    """A planned disc: its plan, the bag folders on it, and the state of copies A and B."""

    disc_id: str
    plan_id: str
    folders: tuple[str, ...]
    copies: Mapping[str, str] = field(default_factory=dict)  # copy -> burned/verified/failed
    manifests: Mapping[str, str] = field(default_factory=dict)  # folder -> manifest sha256

    @property
    def done(self) -> bool:
        """Both copies burned and verified."""
        return all(self.copies.get(copy) == "verified" for copy in ("A", "B"))


@dataclass(frozen=True)
class QueueState:
    """What the custody log says is sealed, planned, burned and verified."""

    bags: Mapping[str, SealedBagRecord]
    discs: Mapping[str, DiscRecord]
    planned_bags: frozenset[str]

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> QueueState:
        """Fold custody entries, oldest first, into the queue's state."""
        bags: dict[str, SealedBagRecord] = {}
        discs: dict[str, DiscRecord] = {}
        planned: set[str] = set()
        for entry in entries:
            d = entry.details
            if d.get("ok") is False and entry.event in ("seal", "plan"):
                continue
            if entry.event == "seal":
                bags[d["bag_id"]] = SealedBagRecord(
                    d["bag_id"], d["session_id"], d["case_number"], d["bytes"], d["manifest_sha256"]
                )
            elif entry.event == "plan":
                for disc in d["discs"]:
                    discs[disc["disc_id"]] = DiscRecord(
                        disc["disc_id"], d["plan_id"], tuple(disc["parts"])
                    )
                    planned.update(disc["bags"])
            elif entry.event in ("burn", "verify") and d.get("disc_id") in discs:
                disc = discs[d["disc_id"]]
                copies = dict(disc.copies)
                manifests = dict(disc.manifests)
                if entry.event == "burn":
                    copies[d["copy"]] = "burned" if d.get("ok", True) else "failed"
                    manifests.update(d.get("manifests", {}))
                elif d.get("copy") in ("A", "B"):
                    copies[d["copy"]] = "verified" if d.get("ok") else "failed"
                discs[disc.disc_id] = DiscRecord(
                    disc.disc_id, disc.plan_id, disc.folders, copies, manifests
                )
        return cls(bags, discs, frozenset(planned))

    def sessions_to_seal(self, sessions: Sequence[FinishedSession]) -> list[FinishedSession]:
        """The finished sessions not sealed yet."""
        sealed = {bag.session_id for bag in self.bags.values()}
        return [s for s in sessions if s.session_id not in sealed]

    def bags_to_plan(self) -> list[SealedBagRecord]:
        """Sealed bags not on any planned disc yet."""
        return [bag for bag_id, bag in sorted(self.bags.items()) if bag_id not in self.planned_bags]

    def discs_to_burn(self) -> list[DiscRecord]:
        """Planned discs that do not have both copies burned and verified."""
        return [disc for _, disc in sorted(self.discs.items()) if not disc.done]

    def manifest_for(self, folder: str) -> str | None:
        """The recorded manifest SHA-256 of a bag folder on a disc (whole bag or part)."""
        if folder in self.bags:
            return self.bags[folder].manifest_sha256
        for disc in self.discs.values():
            if folder in disc.manifests:
                return disc.manifests[folder]
        return None
