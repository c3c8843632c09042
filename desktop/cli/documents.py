"""``pleadesk verify-pdf FILE``: check every signature of a signed PleaDesk document.

Prints one verdict per signature (who, when, intact, trusted, what changed after it, the
timestamp) and exits 0 only if every signature is good; 1 if one is not (or there are none);
2 if the file cannot be read. Trust comes from ``--trust PEM`` files, by default from the demo
certificate authority of this machine (``$PLEADESK_HOME/demo-pki/root-ca.pem``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_SIGNATURE, EXIT_UNREADABLE = 0, 1, 2


def register(commands: Any) -> None:
    """Add ``verify-pdf`` to the ``pleadesk`` subcommands."""
    verify = commands.add_parser(
        "verify-pdf", help="check every signature in a signed document (PDF)"
    )
    verify.add_argument("file", type=Path, help="the PDF to check")
    verify.add_argument(
        "--trust",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="a trusted root certificate (PEM); repeat for several (default: the demo root)",
    )
    verify.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    verify.set_defaults(run=run_verify)


def default_trust_root() -> Path:
    """Where the demo root certificate of this machine is kept."""
    home = Path(os.environ.get("PLEADESK_HOME", Path.home() / ".local" / "share" / "pleadesk"))
    return home.expanduser() / "demo-pki" / "root-ca.pem"


def run_verify(args: argparse.Namespace) -> int:
    """Check ``args.file``; print the verdicts; return the exit code."""
    from cryptography import x509

    from documents.signing.pki import AgreementSigningError
    from documents.signing.verify import verify_pdf

    paths = args.trust or [p for p in [default_trust_root()] if p.exists()]
    try:
        roots = [x509.load_pem_x509_certificate(p.read_bytes()) for p in paths]
    except (OSError, ValueError) as exc:
        print(f"pleadesk verify-pdf: cannot read a trusted certificate: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        checks = verify_pdf(args.file.read_bytes(), roots)
    except (OSError, AgreementSigningError) as exc:
        print(f"pleadesk verify-pdf: {args.file}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps([c.to_json() for c in checks], ensure_ascii=False, indent=2))
    else:
        _print_table(args.file, checks, paths)
    return EXIT_OK if checks and all(c.ok for c in checks) else EXIT_BAD_SIGNATURE


def _print_table(file: Path, checks: list[Any], roots: list[Path]) -> None:
    print(
        f"{file}: {len(checks)} signature(s); trusted roots: {', '.join(map(str, roots)) or 'none'}"
    )
    for i, c in enumerate(checks, start=1):
        verdict = "VALID" if c.ok else "NOT VALID"
        print(f"#{i} {c.field}: {verdict}")
        print(f"   signed by   {c.person or c.signer} (certificate: {c.signer})")
        print(f"   signed at   {c.signing_time.isoformat() if c.signing_time else '-'}")
        if c.timestamp_ok is not None:
            good = "valid" if c.timestamp_ok else "NOT valid"
            print(f"   timestamp   {c.timestamp.isoformat() if c.timestamp else '-'} ({good})")
        print(f"   intact      {_yes(c.intact)}   signature correct {_yes(c.valid)}")
        print(f"   trusted     {_yes(c.trusted)}   certification {_yes(c.certification)}")
        allowed = "allowed" if c.docmdp_ok else "NOT allowed"
        print(f"   changed after signing: {c.modification_level} ({allowed})")
        if c.problem:
            print(f"   problem     {c.problem}")


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"
