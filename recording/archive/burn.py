"""Burning a planned disc with xorriso to a drive or an image file, then reading it back.

One code path for both: xorriso writes the disc's files straight to its ``-outdev`` target,
``/dev/sr0`` for a drive or ``stdio:/path/copy.iso`` for an image file (what the tests use). A
target that already exists is treated as a drive: it must hold a blank medium (an empty file
is one), and anything written refuses a second burn, as a written disc does.
The image carries ISO 9660 + Joliet (Windows) + Rock Ridge (exact POSIX and Chinese names);
every file is under 4 GiB, so no UDF or multi-extent files are needed. Volume and file dates
come from the plan, so copies A and B of a disc are the same image byte for byte.

After writing, every file is read back off the medium and hashed
(:mod:`recording.archive.disc_read`) against the bag manifests. An image file is fsynced and dropped
from the page cache first, so the read-back reads the disk, not memory. An image is written under a
temporary name and renamed only once it has been read back correctly.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from recording.archive.disc_layout import DiscLayout
from recording.archive.disc_read import ReadBack, read_back
from recording.archive.disc_tool import (
    DiscError,
    run_xorriso,
    sanitize_volume_id,
    tail,
    timeout_for,
)

BurnProgress = Callable[[str, int, int], None]
"""``progress(stage, done_bytes, total_bytes)``; stage is "burn" then "verify"."""

COPIES = {"A": "technical department", "B": "case file"}
MAX_FILE_SIZE = 4 * 1024**3 - 1
_WRITING = re.compile(r"Writing:\s+\d+s\s+([\d.]+)%")
_STATUS = re.compile(r"Media status\s*:\s*(.*)")


class BurnError(DiscError):
    """A disc could not be written: not blank, drive or disk trouble, or xorriso failed."""


class DiscMismatchError(DiscError):
    """A disc read back differs from what was written; ``read_back.problems`` names the files."""

    def __init__(self, message: str, result: ReadBack) -> None:
        super().__init__(message)
        self.read_back = result


@dataclass(frozen=True)
class BurnResult:
    """One burned and verified copy of a disc."""

    disc_id: str
    copy: str
    target: str
    bytes_written: int
    burn_seconds: float
    verify_seconds: float
    read_back: ReadBack


def media_status(target: str) -> str:
    """What xorriso says of the medium: "is blank", "is written , is appendable", ..."""
    code, _, messages = run_xorriso(["-outdev", target], 120.0)
    found = _STATUS.search(messages)
    if code != 0 or not found:
        raise BurnError(
            f"The drive {target} cannot be used: no disc, or the drive is busy.\n{tail(messages)}"
        )
    return found.group(1).strip()


def _date(layout: DiscLayout) -> str:
    return layout.created.astimezone(UTC).strftime("%Y%m%d%H%M%S00")


def write_disc(
    layout: DiscLayout,
    target: str,
    progress: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
) -> None:
    """Write ``layout`` to ``target`` (a drive or ``stdio:FILE``) in one session."""
    total = layout.total_bytes
    big = [f.disc_path for f in layout.files if f.size > MAX_FILE_SIZE]
    if big:
        raise BurnError(f"{big[0]} is 4 GiB or larger and cannot go on a disc as one file.")
    date = _date(layout)
    # fmt: off
    args = [
        "-abort_on", "FAILURE", "-file_size_limit", str(MAX_FILE_SIZE), "--",
        "-outdev", target, "-stdio_sync", "off", "-fs", "64m",
        "-volid", sanitize_volume_id(layout.disc_id), "-joliet", "on", "-rockridge", "on",
        "-volume_date", "c", date, "-volume_date", "m", date, "-volume_date", "uuid", date,
        "-volume_date", "all_file_dates", date,
    ]
    for item in layout.files:
        args += ["-map", str(item.source), "/" + item.disc_path]
    args += [
        "-chown_r", "0", "/", "--", "-chgrp_r", "0", "/", "--",
        "-find", "/", "-type", "f", "-exec", "chmod", "0444", "--",
        "-find", "/", "-type", "d", "-exec", "chmod", "0555", "--",
        "-commit",
    ]
    # fmt: on

    def on_message(line: str) -> None:
        match = _WRITING.search(line)
        if match and progress is not None:
            progress(min(total, int(total * float(match.group(1)) / 100)), total)

    code, _, messages = run_xorriso(args, timeout or timeout_for(total), on_message)
    if code != 0:
        raise BurnError(
            f"Disc {layout.disc_id} could not be written to {target} (xorriso exit {code}). "
            f"Check the disc, the drive and free space, then burn again.\n{tail(messages)}"
        )
    if progress is not None:
        progress(total, total)


def settle_image(path: Path) -> None:
    """fsync the image and drop it from the page cache: the read-back must read the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def burn_copy(
    layout: DiscLayout,
    copy: str,
    target: str,
    progress: BurnProgress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> BurnResult:
    """Burn ``layout`` to ``target`` as copy ``copy`` ("A" or "B") and read it all back."""
    if copy not in COPIES:
        raise BurnError(f"A disc copy is 'A' or 'B', not {copy!r}.")
    report = progress or (lambda _stage, _done, _total: None)
    image = Path(target.removeprefix("stdio:")) if target.startswith("stdio:") else None
    if image is not None and not image.exists():
        # A new image file: written under a temporary name, renamed once read back.
        image.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(
            prefix=f".{image.name}.", suffix=".partial", dir=image.parent
        )
        os.close(fd)  # an empty file is a blank medium to xorriso
        write_to = f"stdio:{partial}"
    else:
        # A drive, or an existing file standing in for one: it must hold a blank medium.
        image = None
        write_to = target
        status = media_status(target)
        if status != "is blank":
            raise BurnError(
                f"The disc in {target} is not blank ({status}). Insert a new blank disc; "
                "evidence is never written over other data."
            )
    try:
        started = clock()
        write_disc(layout, write_to, lambda d, t: report("burn", d, t))
        burned = clock()
        if target.startswith("stdio:"):
            settle_image(Path(write_to.removeprefix("stdio:")))
        result = read_back(write_to, layout.expected(), lambda d, t: report("verify", d, t))
        verified = clock()
        if not result.ok:
            named = "; ".join(f"{p.path} ({p.problem})" for p in result.problems[:5])
            raise DiscMismatchError(
                f"Copy {copy} of disc {layout.disc_id} failed its read-back check: {named}. "
                "Do not use this disc; burn the copy again on a new disc.",
                result,
            )
        if image is not None:
            os.chmod(partial, 0o644)
            os.replace(partial, image)
    except BaseException:
        if image is not None:
            Path(partial).unlink(missing_ok=True)
        raise
    return BurnResult(
        layout.disc_id,
        copy,
        target,
        layout.total_bytes,
        burned - started,
        verified - burned,
        result,
    )
