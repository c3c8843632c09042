"""Running xorriso, and the errors of disc work.

xorriso runs as a subprocess with a time limit, in a UTF-8 locale whatever the desk's own, with
results (file lists, check verdicts) read from stdout and messages and progress from stderr.
Its messages end up in the errors, problems first.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Sequence

from recording.archive.errors import ArchiveError

VOLUME_ID_LENGTH = 32
XORRISO = "xorriso"
MIN_SPEED = 4 * 1024**2  # bytes/s assumed for time limits: a slow disk, well below xorriso's
BASE_TIMEOUT = 120.0


class DiscError(ArchiveError):
    """A disc image cannot be built from the given folder."""


class DiscFileTooLargeError(DiscError):
    """A file is 4 GiB or larger and cannot go on a disc as one file."""


class DiscImageError(DiscError):
    """The file is missing, unreadable or not an ISO 9660 disc image."""


class DiscVerificationError(DiscError):
    """The disc's contents do not match the checksums recorded on it; ``bad_files`` names them."""

    def __init__(self, message: str, bad_files: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.bad_files = tuple(bad_files)


class DiscToolError(DiscError):
    """xorriso is missing, failed, or did not finish in time."""


def sanitize_volume_id(text: str) -> str:
    """Turn ``text`` into an ISO 9660 volume id: A-Z, 0-9 and ``_``, at most 32 characters."""
    volume_id = re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")[:VOLUME_ID_LENGTH]
    volume_id = volume_id.rstrip("_")
    if not volume_id:
        raise DiscError(
            f"The disc label {text!r} has no letters or digits usable on a disc. Use a label "
            "made of Latin letters and digits, such as the case number in ASCII."
        )
    return volume_id


def tail(stderr: str, lines: int = 12) -> str:
    """The informative end of xorriso's messages (problems first, else the last lines)."""
    all_lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    problems = [line for line in all_lines if re.search(r"FAILURE|SORRY|FATAL|WARNING", line)]
    return "\n".join((problems or all_lines)[-lines:])


def run_xorriso(
    args: list[str], timeout: float, on_message: Callable[[str], None] | None = None
) -> tuple[int, str, str]:
    """Run xorriso; return (exit code, result text, messages). Killed after ``timeout`` s.

    Results (file lists, check verdicts) come on stdout, messages and progress on stderr.
    """
    env = {**os.environ, "LC_ALL": "C.UTF-8"}  # file names are UTF-8 whatever the desk's locale
    try:
        proc = subprocess.Popen(
            [XORRISO, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="surrogateescape",
            env=env,
        )
    except FileNotFoundError:
        raise DiscToolError(
            "The disc tool xorriso is not installed. Ask the technician to install it "
            "(Debian package 'xorriso')."
        ) from None
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    result: list[str] = []
    messages: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.read()))  # type: ignore
    watchdog = threading.Timer(timeout, kill)
    with proc:  # closes the pipes and reaps the process, also on error
        watchdog.start()
        reader.start()
        try:
            for line in proc.stderr:  # type: ignore[union-attr]
                messages.append(line)
                if on_message is not None:
                    on_message(line)
        except BaseException:  # e.g. the progress callback cancelled the work
            proc.kill()
            raise
        finally:
            watchdog.cancel()
            reader.join()
    if timed_out.is_set():
        raise DiscToolError(
            f"xorriso did not finish within {timeout:.0f} s and was stopped. Check the drive or "
            f"disk and try again.\n{tail(''.join(messages))}"
        )
    return proc.returncode, "".join(result), "".join(messages)


def timeout_for(size: int) -> float:
    """A generous time limit for xorriso to handle ``size`` bytes."""
    return BASE_TIMEOUT + size / MIN_SPEED


def shell_unquote(text: str) -> str:
    """Undo xorriso's shell-style quoting of a path: 'it'"'"'s' -> it's."""
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        text = text[1:-1].replace("'\"'\"'", "'")
    return text
