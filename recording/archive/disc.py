"""ISO 9660 disc images of evidence bags, built, listed, checked and extracted with xorriso.

Images carry ISO 9660 + Joliet (for Windows) + Rock Ridge (full POSIX names) and xorriso's MD5
checksums (``-md5 on``): one per file and one for the whole session, so a disc can be checked
later against itself without any other record. Files are made world-readable and read-only
(0444, folders 0555) and owned by root, so a mounted disc reads the same for every clerk.

Every file must stay under 4 GiB: larger ones need multi-extent files that older systems and
some libraries read wrongly. xorriso runs as a subprocess with a time limit; its messages go
into the errors. An image is written under a temporary name and renamed when complete.

xorriso treats a missing or non-ISO file as a blank medium, so images are first checked for
an ISO 9660 volume descriptor here.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from recording.archive.disc_tool import (
    DiscError,
    DiscFileTooLargeError,
    DiscImageError,
    DiscToolError,
    DiscVerificationError,
    run_xorriso,
    sanitize_volume_id,
    shell_unquote,
    tail,
    timeout_for,
)

Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)`` while an image is written (about once a second)."""

MAX_FILE_SIZE = 4 * 1024**3 - 1
_SECTOR = 2048
_WRITING = re.compile(r"Writing:\s+\d+s\s+([\d.]+)%")


def _check_source(source_dir: Path) -> int:
    """Return the payload size of ``source_dir``; refuse links, devices and files >= 4 GiB."""
    if not source_dir.is_dir():
        raise DiscError(f"The folder {source_dir} to put on a disc does not exist.")
    total = 0
    for folder, dirs, files in os.walk(source_dir):
        for name in dirs + files:
            path = Path(folder, name)
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                raise DiscError(
                    f"{path} is a link or special file; a disc must hold real files only. "
                    "Replace it by the file itself."
                )
        for name in files:
            size = Path(folder, name).stat().st_size
            if size > MAX_FILE_SIZE:
                raise DiscFileTooLargeError(
                    f"{Path(folder, name)} is {size / 1024**3:.2f} GiB; a disc file must be "
                    "smaller than 4 GiB. Record in shorter segments or split the file."
                )
            total += size
    return total


def build_disc_image(
    source_dir: Path,
    image_path: Path,
    volume_id: str,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> Path:
    """Write the contents of ``source_dir`` as ISO image ``image_path`` (a new file); return it.

    ``volume_id`` is sanitised with :func:`sanitize_volume_id`. Raises
    :class:`DiscFileTooLargeError` before writing anything if a file is 4 GiB or larger.
    """
    source_dir, image_path = Path(source_dir), Path(image_path)
    total = _check_source(source_dir)
    label = sanitize_volume_id(volume_id)
    if image_path.exists():
        raise DiscError(f"{image_path} already exists; it was not overwritten. Choose a new name.")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{image_path.name}.", suffix=".partial", dir=image_path.parent
    )
    os.close(fd)  # xorriso writes it; an empty file counts as a blank medium

    def on_message(line: str) -> None:
        match = _WRITING.search(line)
        if match and progress is not None:
            progress(min(total, int(total * float(match.group(1)) / 100)), total)

    # fmt: off
    args = [
        "-abort_on", "FAILURE",
        "-file_size_limit", str(MAX_FILE_SIZE), "--",
        "-outdev", f"stdio:{tmp_name}", "-stdio_sync", "off", "-fs", "64m",
        "-volid", label, "-joliet", "on", "-rockridge", "on", "-md5", "on",
        "-map", str(source_dir), "/",
        "-chown_r", "0", "/", "--", "-chgrp_r", "0", "/", "--",
        "-find", "/", "-type", "f", "-exec", "chmod", "0444", "--",
        "-find", "/", "-type", "d", "-exec", "chmod", "0555", "--",
        "-commit",
    ]
    # fmt: on
    try:
        code, _, messages = run_xorriso(args, timeout or timeout_for(total), on_message)
        if code != 0:
            raise DiscToolError(
                f"The disc image {image_path.name} could not be written (xorriso exit {code}). "
                f"Check free space and the source files, then try again.\n{tail(messages)}"
            )
        with open(tmp_name, "rb+") as image:
            os.fsync(image.fileno())
        if progress is not None:
            progress(total, total)  # before the rename: a cancel here still leaves no image
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, image_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return image_path


def _check_image(image: Path) -> int:
    """Return the image size; raise :class:`DiscImageError` unless it holds an ISO 9660 volume."""
    try:
        with open(image, "rb") as fin:
            fin.seek(16 * _SECTOR)  # the primary volume descriptor: type 1, "CD001"
            descriptor = fin.read(6)
            size = os.fstat(fin.fileno()).st_size
    except FileNotFoundError:
        raise DiscImageError(f"The disc image {image} does not exist.") from None
    except OSError as exc:
        raise DiscImageError(f"The disc or image {image} cannot be read: {exc}.") from None
    if descriptor != b"\x01CD001":
        raise DiscImageError(
            f"{image} is not an ISO 9660 disc image (it may be damaged or a different kind of "
            "file). Use another copy of the disc."
        )
    return size


def list_disc_image(image: Path, timeout: float | None = None) -> list[str]:
    """Return the files on the image as sorted relative paths (``data/recording/x.age``)."""
    image = Path(image)
    size = _check_image(image)
    args = ["-indev", f"stdio:{image}", "-sh_style_result", "on", "-find", "/", "-type", "f", "--"]
    code, result, messages = run_xorriso(args, timeout or timeout_for(size // 100))
    if code != 0:
        raise DiscImageError(f"The file list of {image} cannot be read.\n{tail(messages)}")
    return sorted(line.lstrip("/") for line in result.splitlines() if line.strip())


def verify_disc_image(image: Path, timeout: float | None = None) -> None:
    """Read the whole image and check every file and the session against their recorded MD5s.

    Raises :class:`DiscVerificationError` naming the mismatching files.
    """
    image = Path(image)
    size = _check_image(image)
    # fmt: off
    args = [
        "-abort_on", "NEVER", "-md5", "on", "-indev", f"stdio:{image}",
        "-check_md5_r", "FAILURE", "/", "--", "-check_md5", "FAILURE", "--",
    ]
    # fmt: on
    code, result, messages = run_xorriso(args, timeout or timeout_for(size))
    bad = [
        shell_unquote(line.split(":", 1)[1])
        for line in result.splitlines()
        if line.startswith("MD5 MISMATCH:")
    ]
    advice = "Do not use this disc; verify the other copy and report the discrepancy."
    if "Not a single file with MD5 checksum was found" in result:
        raise DiscVerificationError(
            f"{image} carries no checksums, so it cannot be verified. "
            "Only discs made by this application can be checked."
        )
    if bad or "MD5 MISMATCH WITH DATA OF LOADED SESSION" in result:
        named = ", ".join(p.lstrip("/") for p in bad) or "the disc's data area"
        raise DiscVerificationError(
            f"Contents of {image} differ from the checksums recorded on it: {named}. {advice}",
            [p.lstrip("/") for p in bad],
        )
    if code != 0 or "session data match recorded md5" not in result:
        raise DiscVerificationError(
            f"{image} could not be read completely. {advice}\n{tail(messages)}"
        )


def extract_disc_image(image: Path, dest_dir: Path, timeout: float | None = None) -> Path:
    """Copy every file of the image into ``dest_dir`` (created; must not exist); return it."""
    image, dest_dir = Path(image), Path(dest_dir)
    size = _check_image(image)
    if dest_dir.exists():
        raise DiscError(f"{dest_dir} already exists; choose an empty location to extract to.")
    dest_dir.parent.mkdir(parents=True, exist_ok=True)
    # auto_chmod_on: the disc's folders are read-only (0555); xorriso may open them to write.
    args = [
        "-osirrox",
        "on:auto_chmod_on",
        "-indev",
        f"stdio:{image}",
        "-extract",
        "/",
        str(dest_dir),
    ]
    code, _, messages = run_xorriso(args, timeout or timeout_for(size))
    if code != 0:
        raise DiscImageError(f"Files could not be copied off {image}.\n{tail(messages)}")
    return dest_dir
