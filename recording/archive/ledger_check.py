"""Checking a signed, hash-chained log (:mod:`recording.archive.ledger`): every problem, by name.

:func:`check_ledger` reads the whole log and reports, for each line, what is wrong with it:

* ``damaged``   the line is not a log entry at all (garbled, cut by a crash);
* ``altered``   the entry's signature does not match its contents, or it was re-formatted;
* ``inserted``  a line that is not a genuine entry, carrying a number another entry has;
* ``duplicate`` a genuine entry copied in a second time;
* ``removed``   an entry number is missing (or the log ends before the expected last entry);
* ``reordered`` an entry stands out of order;
* ``untrusted`` the entry is signed by a key the caller does not trust;
* ``chain``     the link to the previous entry is broken with no other explanation.

Which keys are trusted is the caller's choice: pass the public keys that may sign; without
them every key that signed is listed in the report for a person to judge. Cutting entries off
the end is only visible against an expected last entry (``expected_head``) kept elsewhere.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from recording.archive.errors import ArchiveError
from recording.archive.ledger import (
    GENESIS,
    Entry,
    canonical,
    key_fingerprint,
    line_hash,
    read_lines,
)


@dataclass(frozen=True)
class LedgerProblem:
    """One problem: the line it is on (1-based, 0 if none), the entry number, kind, message."""

    line: int
    seq: int | None
    kind: str
    message: str


@dataclass(frozen=True)
class LedgerReport:
    """What a check found: the entries read, problems, the last entry, signing keys used."""

    path: Path
    entries: tuple[Entry, ...]
    problems: tuple[LedgerProblem, ...]
    head_seq: int
    head_hash: str
    keys: tuple[tuple[str, int], ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class LedgerIntegrityError(ArchiveError):
    """The log fails its check; ``report.problems`` names each problem."""

    def __init__(self, report: LedgerReport) -> None:
        self.report = report
        shown = "; ".join(p.message for p in report.problems[:8])
        more = f" (and {len(report.problems) - 8} more)" if len(report.problems) > 8 else ""
        super().__init__(
            f"The log {report.path} fails its integrity check: {shown}{more}. Keep this file as "
            "it is, use the other copy of the log if there is one, and report it."
        )


def _signature_ok(entry: Entry, raw: bytes) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry.key, validate=True))
        key.verify(base64.b64decode(entry.sig, validate=True), canonical(entry.unsigned()))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return raw == entry.to_line()  # the stored form must be the canonical one


def _out_of_order(seqs: Sequence[int]) -> set[int]:
    """Indices not on one longest increasing run of sequence numbers (the moved entries)."""
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(seqs)
    for i, seq in enumerate(seqs):
        at = bisect_left(tails, seq)
        parent[i] = tail_index[at - 1] if at else -1
        if at == len(tails):
            tails.append(seq)
            tail_index.append(i)
        else:
            tails[at], tail_index[at] = seq, i
    keep = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return set(range(len(seqs))) - keep


def check_ledger(
    path: Path,
    trusted_keys: Collection[bytes] | None = None,
    expected_head: tuple[int, str] | None = None,
) -> LedgerReport:
    """Check the log at ``path``; ``expected_head`` is (last seq, its line hash) if known."""
    path = Path(path)
    lines = list(read_lines(path))
    problems: list[LedgerProblem] = []
    parsed: list[tuple[int, Entry, bytes]] = []  # (line number, entry, raw) of readable lines
    for number, raw in enumerate(lines, start=1):
        try:
            parsed.append((number, Entry.from_line(raw), raw))
        except ValueError:
            problems.append(
                LedgerProblem(number, None, "damaged", f"line {number} is not a log entry")
            )
    genuine = {n for n, entry, raw in parsed if _signature_ok(entry, raw)}
    counts = Counter(entry.seq for _, entry, _ in parsed)
    seen_genuine: dict[int, int] = {}
    for number, entry, _ in parsed:
        where = f"entry {entry.seq} (line {number})"
        if number not in genuine:
            kind = "inserted" if counts[entry.seq] > 1 else "altered"
            what = "is not a genuine entry" if kind == "inserted" else "was altered"
            problems.append(
                LedgerProblem(number, entry.seq, kind, f"{where} {what}: its signature fails")
            )
        elif entry.seq in seen_genuine:
            first = seen_genuine[entry.seq]
            problems.append(
                LedgerProblem(
                    number, entry.seq, "duplicate", f"{where} repeats line {first}: a copy"
                )
            )
        else:
            seen_genuine[entry.seq] = number
            if trusted_keys is not None and entry.public_key not in trusted_keys:
                fingerprint = key_fingerprint(entry.public_key)
                problems.append(
                    LedgerProblem(
                        number,
                        entry.seq,
                        "untrusted",
                        f"{where} is signed by unknown key {fingerprint}",
                    )
                )
    order = [(number, entry) for number, entry, _ in parsed if number in genuine]
    firsts = [(n, e) for n, e in order if seen_genuine.get(e.seq) == n]
    for index in sorted(_out_of_order([e.seq for _, e in firsts])):
        number, entry = firsts[index]
        problems.append(
            LedgerProblem(
                number, entry.seq, "reordered", f"entry {entry.seq} (line {number}) is out of order"
            )
        )
    last_seq = max(counts, default=0)
    if expected_head is not None:
        last_seq = max(last_seq, expected_head[0])
    for seq in sorted(set(range(1, last_seq + 1)) - set(counts)):
        before = max((n for n, e, _ in parsed if e.seq < seq), default=0)
        problems.append(LedgerProblem(before, seq, "removed", f"entry {seq} is missing (removed)"))
    genuine_firsts = [(n, e, raw) for n, e, raw in parsed if seen_genuine.get(e.seq) == n]
    problems += _chain_problems(genuine_firsts)
    problems += _head_problem(parsed, expected_head)
    head = parsed[-1][1].seq if parsed else 0
    keys = Counter(key_fingerprint(e.public_key) for _, e, _ in parsed)
    return LedgerReport(
        path,
        tuple(e for _, e, _ in parsed),
        tuple(sorted(problems, key=lambda p: (p.line, p.kind))),
        head,
        line_hash(lines[-1]) if lines else GENESIS,
        tuple(sorted(keys.items())),
    )


def _chain_problems(firsts: Sequence[tuple[int, Entry, bytes]]) -> list[LedgerProblem]:
    """Entries whose ``prev`` is not the hash of the genuine entry numbered one less.

    Compared by number, not by position, so a moved entry is reported once (as reordered);
    what is left is an earlier entry replaced after later ones were written.
    """
    by_seq = {entry.seq: raw for _, entry, raw in firsts}
    problems = []
    for number, entry, _ in firsts:
        if entry.seq == 1:
            expected = GENESIS
        elif entry.seq - 1 in by_seq:
            expected = line_hash(by_seq[entry.seq - 1])
        else:
            continue  # the entry before is missing: already reported as removed
        if entry.prev != expected:
            problems.append(
                LedgerProblem(
                    number,
                    entry.seq,
                    "chain",
                    f"the link before entry {entry.seq} (line {number}) is broken: entry "
                    f"{entry.seq - 1} was replaced after it was written",
                )
            )
    return problems


def _head_problem(
    parsed: Sequence[tuple[int, Entry, bytes]],
    expected_head: tuple[int, str] | None,
) -> list[LedgerProblem]:
    """Compare the entry the caller recorded as last with the one in the log."""
    if expected_head is None:
        return []
    seq, digest = expected_head
    for number, entry, raw in parsed:
        if entry.seq == seq and line_hash(raw) != digest:
            return [
                LedgerProblem(
                    number, seq, "altered", f"entry {seq} (line {number}) differs from the record"
                )
            ]
    return []


def verify_ledger(
    path: Path,
    trusted_keys: Collection[bytes] | None = None,
    expected_head: tuple[int, str] | None = None,
) -> LedgerReport:
    """Like :func:`check_ledger`, but raise :class:`LedgerIntegrityError` on any problem."""
    report = check_ledger(path, trusted_keys, expected_head)
    if not report.ok:
        raise LedgerIntegrityError(report)
    return report
