"""``pleadesk audit verify FILE``: check a session's audit trail for any tampering."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from recording.archive.ledger_check import check_ledger


def register(commands: Any) -> None:
    """Add ``audit verify`` to the ``pleadesk`` subparsers."""
    audit = commands.add_parser("audit", help="check a session's audit trail")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="find altered, removed or reordered entries")
    verify.add_argument("file", type=Path, help="the session's .audit.jsonl")
    verify.add_argument(
        "--trust", type=Path, metavar="PUBLIC_KEY",
        help="the hub's audit-key.pub.pem: accept only entries signed with it",
    )  # fmt: skip
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Print what the check found; exit 0 only for an intact trail."""
    if not args.file.is_file():
        print(f"There is no audit trail at {args.file}.", file=sys.stderr)
        return 2
    trusted = None
    if args.trust is not None:
        key = serialization.load_pem_public_key(args.trust.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            print(f"{args.trust} is not the hub's Ed25519 audit key.", file=sys.stderr)
            return 2
        trusted = [key.public_bytes_raw()]
    report = check_ledger(args.file, trusted)
    if report.ok:
        print(f"intact: {len(report.entries)} entries, the last is number {report.head_seq}")
        return 0
    print(f"NOT INTACT: {len(report.problems)} problem(s) in {args.file}:")
    for problem in report.problems:
        print(f"  {problem.message}")
    return 1
