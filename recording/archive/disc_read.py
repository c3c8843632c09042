"""Reading a disc back: every file's bytes straight off the medium, hashed with SHA-256.

xorriso reads the disc's directory (Rock Ridge names, so Chinese and long names are exact)
and reports where each file's data lies (``-exec report_lba``); the bytes are then read here
directly from the drive or image, in disc order (an optical drive hates seeking back), and
hashed. So the check goes through the disc's own directory and data, not through any copy or
cache of the source files, and does not depend on xorriso's own checksums.

``target`` is what xorriso calls the medium: ``stdio:/path/to/image.iso`` for an image file
or a drive such as ``/dev/sr0``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from recording.archive.disc_tool import (
    DiscImageError,
    run_xorriso,
    shell_unquote,
    tail,
    timeout_for,
)

Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)`` while files are read back."""

SECTOR = 2048
_BLOCK = 4 * 1024 * 1024
_VOLUME = re.compile(r"^Volume id\s*:\s*(.*)$", re.MULTILINE)
_LBA = re.compile(r"^File data lba:\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(.*)$")


@dataclass(frozen=True)
class DiscFile:
    """A file on a disc: its path, size and data extents (start sector, sector count)."""

    path: str
    size: int
    extents: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ReadProblem:
    """A file that failed the read-back: its path on the disc and what is wrong."""

    path: str
    problem: str


@dataclass(frozen=True)
class ReadBack:
    """The outcome of reading a disc back: files and bytes checked, and any problems."""

    files_checked: int
    bytes_read: int
    problems: tuple[ReadProblem, ...]

    @property
    def ok(self) -> bool:
        """True when every expected file is there, readable and unchanged, and nothing else."""
        return not self.problems


def device_path(target: str) -> str:
    """The path to open for reading: the image file of a ``stdio:`` target, else the drive."""
    return target.removeprefix("stdio:")


@dataclass(frozen=True)
class DiscDirectory:
    """A disc's volume id and every file on it, ``{path without leading /: DiscFile}``."""

    volume_id: str
    files: dict[str, DiscFile]


def list_disc_files(target: str, timeout: float | None = None) -> dict[str, DiscFile]:
    """Every file on the medium, ``{path without leading /: DiscFile}``."""
    return read_disc_directory(target, timeout).files


def read_disc_directory(target: str, timeout: float | None = None) -> DiscDirectory:
    """Read the disc's directory: its volume id and where every file's data lies."""
    try:
        size = os.stat(device_path(target)).st_size
    except OSError as exc:
        raise DiscImageError(f"The disc or image {target} cannot be opened: {exc}.") from None
    args = ["-indev", target, "-find", "/", "-type", "f", "-exec", "report_lba", "--"]
    code, result, messages = run_xorriso(args, timeout or timeout_for(size // 100))
    if code != 0:
        raise DiscImageError(
            f"The file list of {target} cannot be read: the disc may be blank, damaged or not "
            f"a data disc.\n{tail(messages)}"
        )
    extents: dict[str, list[tuple[int, int, int]]] = {}
    sizes: dict[str, int] = {}
    for line in result.splitlines():
        match = _LBA.match(line.strip())
        if match:
            index, start, blocks, file_size = (int(g) for g in match.groups()[:4])
            path = shell_unquote(match.group(5)).lstrip("/")
            extents.setdefault(path, []).append((index, start, blocks))
            sizes[path] = file_size
    files = {
        path: DiscFile(path, sizes[path], tuple((s, b) for _, s, b in sorted(parts)))
        for path, parts in extents.items()
    }
    volume = _VOLUME.search(messages)
    return DiscDirectory(shell_unquote(volume.group(1)) if volume else "", files)


def read_disc_file(target: str, disc_file: DiscFile, limit: int = 64 * 1024 * 1024) -> bytes:
    """The contents of one (small) file straight off the medium."""
    if disc_file.size > limit:
        raise DiscImageError(f"{disc_file.path} is too large to read into memory.")
    out = bytearray()
    fd = os.open(device_path(target), os.O_RDONLY)
    try:
        for start, blocks in disc_file.extents:
            want = min(disc_file.size - len(out), blocks * SECTOR)
            out += os.pread(fd, want, start * SECTOR)
    finally:
        os.close(fd)
    if len(out) != disc_file.size:
        raise DiscImageError(f"{disc_file.path} could not be read completely from {target}.")
    return bytes(out)


def _hash_file(
    fd: int, disc_file: DiscFile, buffer: memoryview, advance: Callable[[int], None]
) -> str:
    digest = hashlib.sha256()
    left = disc_file.size
    for start, blocks in disc_file.extents:
        offset, extent_left = start * SECTOR, min(left, blocks * SECTOR)
        while extent_left > 0:
            count = os.preadv(fd, [buffer[: min(len(buffer), extent_left)]], offset)
            if count <= 0:
                raise OSError("the disc ended early")
            digest.update(buffer[:count])
            offset += count
            extent_left -= count
            left -= count
            advance(count)
    if left:
        raise OSError("the file's data is shorter than its size")
    return digest.hexdigest()


def hash_disc_files(
    target: str, files: Iterable[DiscFile], progress: Progress | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Hash ``files`` off the medium in disc order: ({path: sha256}, {path: read error})."""
    chosen = sorted(files, key=lambda f: f.extents[0][0] if f.extents else 0)
    total = sum(f.size for f in chosen)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    hashes: dict[str, str] = {}
    errors: dict[str, str] = {}
    buffer = memoryview(bytearray(_BLOCK))
    try:
        fd = os.open(device_path(target), os.O_RDONLY)
    except OSError as exc:
        raise DiscImageError(f"The disc or image {target} cannot be opened: {exc}.") from None
    try:
        for disc_file in chosen:
            try:
                hashes[disc_file.path] = _hash_file(fd, disc_file, buffer, advance)
            except OSError as exc:
                errors[disc_file.path] = exc.strerror or str(exc)
    finally:
        os.close(fd)
    if progress is not None:
        progress(total, total)
    return hashes, errors


def read_back(
    target: str,
    expected: Mapping[str, str],
    progress: Progress | None = None,
    *,
    directory: DiscDirectory | None = None,
    unchecked: Iterable[str] = (),
) -> ReadBack:
    """Read every file on the medium and compare it with ``expected`` ({path: sha256}).

    Files in ``unchecked`` may be on the disc without an expected hash (they are still read).
    """
    on_disc = (directory or read_disc_directory(target)).files
    allowed = set(expected) | set(unchecked)
    problems = [
        ReadProblem(p, "missing from the disc") for p in sorted(set(expected) - set(on_disc))
    ]
    problems += [ReadProblem(p, "not expected on the disc") for p in sorted(set(on_disc) - allowed)]
    hashes, errors = hash_disc_files(target, on_disc.values(), progress)
    for path in sorted(set(on_disc)):
        if path in errors:
            problems.append(ReadProblem(path, f"unreadable: {errors[path]}"))
        elif path in expected and hashes[path] != expected[path]:
            problems.append(ReadProblem(path, "altered: its SHA-256 differs"))
    read = sum(on_disc[p].size for p in hashes)
    return ReadBack(len(hashes), read, tuple(sorted(problems, key=lambda p: p.path)))
