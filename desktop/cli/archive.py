"""``pleadesk archive ...``: the evidence archive on the command line.

    pleadesk archive encrypt -r RECIPIENT [-r RECIPIENT ...] -o OUT IN
    pleadesk archive decrypt -i IDENTITY_FILE -o OUT IN
    pleadesk archive queue   [--sessions DIR]                  what waits to be sealed or burned
    pleadesk archive seal    -r RECIPIENT ... (--sessions DIR | SESSION_DIR ...)
    pleadesk archive plan    --media dvd|dvd-dl|bd|bd-dl --mode case|pack
    pleadesk archive burn    DISC_ID [--copy A|B|both] [--target-a T] [--target-b T]
    pleadesk archive verify  TARGET [--copy A|B]                spot-check a stored disc
    pleadesk archive open    SOURCE ... -i IDENTITY_FILE -o OUT_DIR
    pleadesk archive copy    BAG_ID DESTINATION                 a checked copy of a sealed bag
    pleadesk archive list    SOURCE                             what a disc or folder holds
    pleadesk archive custody verify [FILE] [--trust PUBLIC_KEY.pem ...] [--head SEQ:HASH]
    pleadesk archive window  --sessions DIR -r RECIPIENT ...   the clerk's window

Every command but encrypt, decrypt and custody works on an archive folder (``--archive``,
default ``$PLEADESK_ARCHIVE`` or ``~/.local/share/pleadesk/archive``) and signs its custody
entries as ``--clerk`` (default ``$PLEADESK_CLERK``, else the login name) with the station's
key (``--key``, created on first use). A target is a drive (``/dev/sr0``) or ``stdio:FILE``
for an image file; without one, copies go to image files in the archive's ``discs/``.
Exit status: 0 done, 1 failed (the message says why), 2 bad command line.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from desktop.clerk.labels import print_label
from recording.archive import age
from recording.archive.progress import ProgressMeter, format_bytes, format_seconds

Run = Callable[[argparse.Namespace], int]


def pleadesk_home() -> Path:
    """Where the station keeps its keys (``$PLEADESK_HOME``, else ~/.local/share/pleadesk)."""
    default = Path.home() / ".local" / "share" / "pleadesk"
    return Path(os.environ.get("PLEADESK_HOME", default)).expanduser()


def default_archive() -> Path:
    """The archive folder when ``--archive`` is not given."""
    return Path(os.environ.get("PLEADESK_ARCHIVE", pleadesk_home() / "archive")).expanduser()


def _now() -> datetime:
    return datetime.now().astimezone()


class _Printer:
    """Progress lines on stderr: rate and time left, at most a few times a second."""

    def __init__(self, stream: Any = sys.stderr) -> None:
        self._stream = stream
        self._meter = ProgressMeter()
        self._shown = 0.0
        self._last: tuple[str, int] = ("", -1)
        self._tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        report = self._meter.update(stage, done, total)
        now = time.monotonic()
        final = bool(total) and done >= total
        if (stage, done) == self._last or (
            not final and now - self._shown < (0.25 if self._tty else 5.0)
        ):
            return
        self._last = (stage, done)
        self._shown = now
        line = (
            f"{stage:<8} {format_bytes(done):>10} of {format_bytes(total):<10} "
            f"{format_bytes(report.rate)}/s  {format_seconds(report.seconds_left)} left"
        )
        end = "\n" if final or not self._tty else "\r"
        sys.stdout.flush()
        print(line.ljust(78), end=end, file=self._stream, flush=True)


def _desk(args: argparse.Namespace) -> Any:
    from recording.archive.custody import LOG_NAME, CustodyLog
    from recording.archive.desk import ArchiveDesk

    root = Path(args.archive)
    custody = CustodyLog(root / LOG_NAME, Path(args.key), args.clerk, _now)
    return ArchiveDesk(root, custody, _now, print_label=print_label)


def _recipients(args: argparse.Namespace) -> list[str]:
    recipients = list(args.recipient or [])
    for path in args.recipients_file or []:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                recipients.append(line.strip())
    if not recipients:
        raise age.InvalidKeyError("Give at least one recipient key (-r age1... or -R FILE).")
    return recipients


# --- commands ---------------------------------------------------------------------------


def _encrypt(args: argparse.Namespace) -> int:
    printer = _Printer()
    size = age.encrypt_file(
        Path(args.input),
        Path(args.output),
        _recipients(args),
        lambda d, t: printer("encrypt", d, t),
    )
    print(f"encrypted {format_bytes(size)} to {args.output}")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    identities = [i for path in args.identity for i in age.load_identities(Path(path))]
    printer = _Printer()
    age.decrypt_file(
        Path(args.input), Path(args.output), identities, lambda d, t: printer("decrypt", d, t)
    )
    print(f"decrypted to {args.output}")
    return 0


def _queue(args: argparse.Namespace) -> int:
    from recording.archive.queue import find_finished_sessions

    state = _desk(args).state()
    if args.sessions:
        sessions, problems = find_finished_sessions(Path(args.sessions))
        waiting = state.sessions_to_seal(sessions)
        print(f"sessions to seal: {len(waiting)}")
        for session in waiting:
            print(f"  {session.folder}  {session.case_number}  {format_bytes(session.size)}")
        for folder, problem in problems:
            print(f"  cannot be sealed: {folder}: {problem}")
    bags = state.bags_to_plan()
    print(f"sealed bags not on a disc yet: {len(bags)}")
    for bag in bags:
        print(f"  {bag.bag_id}  {bag.case_number}  {format_bytes(bag.bytes)}")
    discs = state.discs_to_burn()
    print(f"discs to burn: {len(discs)}")
    for disc in discs:
        copies = ", ".join(f"{c}: {disc.copies.get(c, 'not burned')}" for c in ("A", "B"))
        print(f"  {disc.disc_id}  {' '.join(disc.folders)}  ({copies})")
    return 0


def _seal(args: argparse.Namespace) -> int:
    from recording.archive.queue import find_finished_sessions, read_finished_session

    desk = _desk(args)
    recipients = _recipients(args)
    for recipient in recipients:
        age.parse_recipient(recipient)
    sessions = [read_finished_session(Path(folder)) for folder in args.session]
    if args.sessions:
        found, problems = find_finished_sessions(Path(args.sessions))
        sessions += desk.state().sessions_to_seal(found)
        for folder, problem in problems:
            print(f"skipped {folder}: {problem}", file=sys.stderr)
    if not sessions:
        print("nothing to seal")
        return 0
    for session in sessions:
        bag = desk.seal(session, recipients, _Printer())
        print(f"sealed {session.case_number} -> {bag.bag_dir}  manifest {bag.manifest_sha256}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    plan = _desk(args).plan(args.media, args.mode)
    print(f"plan {plan.plan_id}: {len(plan.discs)} disc(s) of {args.media}, mode {args.mode}")
    for disc in plan.discs:
        used = format_bytes(disc.sectors * 2048)
        print(f"  {disc.disc_id}  {used:>10}  " + "  ".join(p.folder for p in disc.parts))
    return 0


def _burn(args: argparse.Namespace) -> int:
    desk = _desk(args)
    copies = ["A", "B"] if args.copy == "both" else [args.copy]
    targets = {"A": args.target_a, "B": args.target_b}
    for copy in copies:
        burned = desk.burn(args.disc, copy, targets[copy], _Printer())
        result = burned.result
        print(
            f"copy {copy} of {args.disc} burned to {result.target} and read back: "
            f"{result.read_back.files_checked} files, {format_bytes(result.read_back.bytes_read)}, "
            f"all match. Label: {burned.label}"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    result = _desk(args).spot_check(args.target, args.copy or "", _Printer())
    print(f"disc {result.volume_id or '?'}: {result.read_back.files_checked} files read back")
    for bag in result.bags:
        print(f"  {bag.folder}  manifest {bag.manifest_sha256}")
    for problem in result.problems:
        print(f"  PROBLEM {problem.path}: {problem.problem}")
    print("all files match the records" if result.ok else "THE DISC FAILED ITS CHECK")
    return 0 if result.ok else 1


def _open(args: argparse.Namespace) -> int:
    identities = [i for path in args.identity for i in age.load_identities(Path(path))]
    opened = _desk(args).open(args.source, identities, Path(args.output), _Printer())
    for item in opened:
        state = "ok, matches its sealed hash" if item.matches else f"PROBLEM: {item.problem}"
        print(f"  {item.bag}/{item.name}: {state}")
    return 0 if all(item.matches for item in opened) else 1


def _copy(args: argparse.Namespace) -> int:
    target = _desk(args).copy_bag(args.bag, Path(args.destination), _Printer())
    print(f"copied {args.bag} to {target}; the copy checks out")
    return 0


def _list(args: argparse.Namespace) -> int:
    for bag, files in _desk(args).list_contents(args.source).items():
        print(bag)
        for path in files:
            print(f"  {path}")
    return 0


def _custody_verify(args: argparse.Namespace) -> int:
    from recording.archive.custody import LOG_NAME
    from recording.archive.ledger_check import check_ledger

    path = Path(args.file) if args.file else Path(args.archive) / LOG_NAME
    trusted = None
    if args.trust:
        trusted = set()
        for pem in args.trust:
            key = serialization.load_pem_public_key(Path(pem).read_bytes())
            trusted.add(
                key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            )
    head = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        head = (int(seq), digest)
    report = check_ledger(path, trusted, head)
    print(f"{path}: {len(report.entries)} entries, last {report.head_seq} {report.head_hash}")
    for fingerprint, count in report.keys:
        print(f"  signed by key {fingerprint}: {count} entries")
    for problem in report.problems:
        print(f"  PROBLEM line {problem.line}: {problem.message}")
    print("the log is intact" if report.ok else "THE LOG FAILED ITS CHECK")
    return 0 if report.ok else 1


def _window(args: argparse.Namespace) -> int:
    from desktop.clerk.window import run_clerk_window

    recipients = _recipients(args)
    for recipient in recipients:
        age.parse_recipient(recipient)
    return run_clerk_window(
        Path(args.archive), Path(args.sessions), recipients, args.clerk, Path(args.key)
    )


# --- parser -----------------------------------------------------------------------------


def _guarded(run: Run) -> Run:
    """Turn archive errors into a plain message and exit status 1."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (age.ArchiveError, OSError) as exc:
            print(f"\npleadesk archive: {exc}", file=sys.stderr)
            return 1

    return wrapper


def _archive_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", default=str(default_archive()), help="archive folder")
    parser.add_argument(
        "--clerk",
        default=os.environ.get("PLEADESK_CLERK") or getpass.getuser(),
        help="name of the clerk, written in the custody log",
    )
    parser.add_argument(
        "--key",
        default=str(pleadesk_home() / "custody-key.pem"),
        help="this station's custody signing key (created on first use)",
    )


def _recipient_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-r", "--recipient", action="append", help="age1... public key")
    parser.add_argument("-R", "--recipients-file", action="append", help="file of public keys")


def register(commands: Any) -> None:
    """Add ``archive`` and its subcommands to the ``pleadesk`` subparsers ``commands``."""
    archive = commands.add_parser("archive", help="seal, burn, verify and open evidence")
    sub = archive.add_subparsers(dest="archive_command", required=True)

    def add(name: str, run: Run, help_text: str, archive_folder: bool = True) -> Any:
        parser = sub.add_parser(name, help=help_text)
        if archive_folder:
            _archive_options(parser)
        parser.set_defaults(run=_guarded(run))
        return parser

    encrypt = add("encrypt", _encrypt, "encrypt a file with age", archive_folder=False)
    _recipient_options(encrypt)
    encrypt.add_argument("-o", "--output", required=True)
    encrypt.add_argument("input")
    decrypt = add("decrypt", _decrypt, "decrypt an age file", archive_folder=False)
    decrypt.add_argument("-i", "--identity", action="append", required=True)
    decrypt.add_argument("-o", "--output", required=True)
    decrypt.add_argument("input")
    queue = add("queue", _queue, "show what waits to be sealed or burned")
    queue.add_argument("--sessions", help="folder of finished sessions")
    seal = add("seal", _seal, "seal finished sessions into encrypted bags")
    _recipient_options(seal)
    seal.add_argument("--sessions", help="seal every unsealed session in this folder")
    seal.add_argument("session", nargs="*", default=[], help="a finished session's folder")
    plan = add("plan", _plan, "plan which bags go on which discs")
    plan.add_argument("--media", default="dvd", choices=["dvd", "dvd-dl", "bd", "bd-dl"])
    plan.add_argument("--mode", default="case", choices=["case", "pack"])
    burn = add("burn", _burn, "burn and read back copies A and B of a planned disc")
    burn.add_argument("disc", help="disc id from the plan")
    burn.add_argument("--copy", default="both", choices=["A", "B", "both"])
    burn.add_argument("--target-a", help="drive or stdio:FILE for copy A")
    burn.add_argument("--target-b", help="drive or stdio:FILE for copy B")
    verify = add("verify", _verify, "read back and check a stored disc")
    verify.add_argument("target", help="drive or stdio:FILE")
    verify.add_argument("--copy", choices=["A", "B"])
    opened = add("open", _open, "decrypt bags from discs or folders and check every file")
    opened.add_argument("source", nargs="+", help="bag folder, disc image or drive")
    opened.add_argument("-i", "--identity", action="append", required=True)
    opened.add_argument("-o", "--output", required=True, help="empty folder for the files")
    copy = add("copy", _copy, "copy a sealed bag elsewhere and check the copy")
    copy.add_argument("bag", help="bag id")
    copy.add_argument("destination", help="folder to copy the bag into")
    listing = add("list", _list, "list the bags and files on a disc or in a folder")
    listing.add_argument("source", help="bag folder, disc image or drive")
    window = add("window", _window, "open the evidence clerk's window")
    _recipient_options(window)
    window.add_argument("--sessions", required=True, help="folder of finished sessions")
    custody = sub.add_parser("custody", help="the custody log")
    custody_sub = custody.add_subparsers(dest="custody_command", required=True)
    check = custody_sub.add_parser("verify", help="check the custody log's signatures and chain")
    _archive_options(check)
    check.add_argument("file", nargs="?", help="the log file (default: the archive's)")
    check.add_argument("--trust", action="append", help="public key (PEM) allowed to sign")
    check.add_argument("--head", help="SEQ:HASH of the last entry, as recorded elsewhere")
    check.set_defaults(run=_guarded(_custody_verify))
