"""Opening sealed evidence: decrypt every file of the bags found, and prove each is the original.

Sources may be bag folders (sealed in the archive, or copied off a disc), folders holding bag
folders, or discs (``stdio:copy.iso``, an ``.iso`` file, or a drive such as ``/dev/sr0``),
read straight off the medium. Pieces of a split recording are joined in order, also across
several sources (the parts of a split bag on different discs).

For each bag, the encrypted hash list (``plaintext-sha256.json.age``) is opened first; every
decrypted file is then hashed as it is written and compared with the list. Decrypted files are
private (0600) and never overwrite an existing file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from recording.archive import age
from recording.archive.bag import check_payload_name, read_bag_info
from recording.archive.disc_read import (
    SECTOR,
    DiscFile,
    device_path,
    read_disc_directory,
    read_disc_file,
)
from recording.archive.seal import HASHES_NAME

Opener = Callable[[], io.RawIOBase]
Progress = Callable[[str, int, int], None]
Sources = dict[str, dict[str, tuple[Opener, int]]]
"""``{bag id: {data path: (opener, size)}}``."""

_HASHES = f"data/{HASHES_NAME}"


class OpenError(age.ArchiveError):
    """The evidence cannot be opened (no bags found, no hash list, output exists)."""


@dataclass(frozen=True)
class OpenedFile:
    """One file of a bag, decrypted or not: where it went, its hash, and any problem."""

    bag: str
    name: str
    path: Path | None
    sha256: str
    matches: bool
    problem: str


class _DiscFileRaw(io.RawIOBase):
    """A file read straight off a disc or image, extent by extent."""

    def __init__(self, target: str, disc_file: DiscFile) -> None:
        self._fd = os.open(device_path(target), os.O_RDONLY)
        self._spans = [(start * SECTOR, blocks * SECTOR) for start, blocks in disc_file.extents]
        self._left = disc_file.size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._spans and self._spans[0][1] == 0:
            self._spans.pop(0)
        if not self._spans or self._left <= 0:
            return 0
        offset, length = self._spans[0]
        want = min(len(buffer), length, self._left)
        count = os.preadv(self._fd, [memoryview(buffer)[:want]], offset)
        self._spans[0] = (offset + count, length - count)
        self._left -= count
        return count

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


class _JoinedRaw(io.RawIOBase):
    """Several raw streams read one after the other (the pieces of one ciphertext)."""

    def __init__(self, openers: Sequence[Opener], advance: Callable[[int], None]) -> None:
        self._openers = list(openers)
        self._current: io.RawIOBase | None = None
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            if self._current is None:
                if not self._openers:
                    return 0
                self._current = self._openers.pop(0)()
            count = self._current.readinto(buffer) or 0
            if count:
                self._advance(count)
                return count
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()


def _folder_bags(folder: Path) -> Sources:
    bag_dirs = (
        [folder]
        if (folder / "bagit.txt").is_file()
        else sorted(p.parent for p in folder.glob("*/bagit.txt"))
    )
    found: Sources = {}
    for bag_dir in bag_dirs:
        info = dict(read_bag_info(bag_dir))
        group = info.get("Bag-Group-Identifier", bag_dir.name)
        for path in (bag_dir / "data").rglob("*"):
            if path.is_file():
                relative = path.relative_to(bag_dir).as_posix()
                opener = partial(io.FileIO, path, "r")
                found.setdefault(group, {})[relative] = (opener, path.stat().st_size)
    return found


def _disc_bags(target: str) -> Sources:
    directory = read_disc_directory(target)
    found: Sources = {}
    for path, disc_file in directory.files.items():
        if path.count("/") == 1 and path.endswith("/bag-info.txt"):
            folder = path.split("/")[0]
            text = read_disc_file(target, disc_file).decode("utf-8")
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            group = fields.get("Bag-Group-Identifier", folder).strip()
            for inner, item in directory.files.items():
                if inner.startswith(f"{folder}/data/"):
                    relative = inner.split("/", 1)[1]
                    opener = partial(_DiscFileRaw, target, item)
                    found.setdefault(group, {})[relative] = (opener, item.size)
    return found


def find_bags(sources: Sequence[str]) -> Sources:
    """Every bag file over every source, pieces from all sources merged."""
    found: Sources = {}
    for source in sources:
        folder = Path(source)
        bags = (
            _folder_bags(folder)
            if folder.is_dir()
            else _disc_bags(
                source
                if source.startswith("stdio:") or source.startswith("/dev/")
                else f"stdio:{source}"
            )
        )
        for group, files in bags.items():
            found.setdefault(group, {}).update(files)
    if not found:
        raise OpenError(
            "No evidence bag was found in the sources given. Choose a bag folder, a disc or a "
            "disc image made by this application."
        )
    return found


class _HashingSink:
    """Writes to a file and hashes what is written."""

    def __init__(self, out: io.BufferedWriter) -> None:
        self._out = out
        self.digest = hashlib.sha256()

    def write(self, data: memoryview) -> int:
        self.digest.update(data)
        return self._out.write(data)


def _decrypt(
    openers: Sequence[Opener],
    identities: Sequence[age.Identity],
    sink: object,
    name: str,
    advance: Callable[[int], None],
) -> None:
    with io.BufferedReader(_JoinedRaw(openers, advance), 1 << 20) as src:
        age.decrypt_stream(src, sink, identities, name=name)  # type: ignore[arg-type]


def open_bags(
    sources: Sequence[str],
    identities: Sequence[age.Identity],
    out_dir: Path,
    progress: Progress | None = None,
) -> list[OpenedFile]:
    """Decrypt every file of every bag in ``sources`` into ``out_dir/<bag id>/<name>``."""
    out_dir = Path(out_dir)
    bags = find_bags(sources)
    total = sum(size for files in bags.values() for _, size in files.values())
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress("decrypt", done, total)

    results: list[OpenedFile] = []
    for group, files in sorted(bags.items()):
        if _HASHES not in files:
            raise OpenError(f"The bag {group} has no list of plaintext hashes ({HASHES_NAME}).")
        plain = io.BytesIO()
        _decrypt([files[_HASHES][0]], identities, plain, f"the hash list of {group}", advance)
        for item in json.loads(plain.getvalue())["files"]:
            results.append(_open_one(group, item, files, identities, out_dir, advance))
    if progress is not None:
        progress("decrypt", total, total)
    return results


def _open_one(
    group: str,
    item: dict[str, object],
    files: dict[str, tuple[Opener, int]],
    identities: Sequence[age.Identity],
    out_dir: Path,
    advance: Callable[[int], None],
) -> OpenedFile:
    name = str(item["name"])
    pieces = [str(p) for p in item["encrypted"]]  # type: ignore[attr-defined]
    missing = [p for p in pieces if p not in files]
    if missing:
        where = "on another disc" if len(missing) < len(pieces) else "not in the sources"
        return OpenedFile(group, name, None, "", False, f"{missing[0]} is {where}")
    check_payload_name(name)
    target = out_dir / group / name
    if target.exists():
        raise OpenError(
            f"{target} already exists; choose an empty folder to open the evidence into."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with age.atomic_output(target, 0o600) as out:
        sink = _HashingSink(out)  # type: ignore[arg-type]
        openers = [files[p][0] for p in pieces]
        _decrypt(openers, identities, sink, f"'{name}' of {group}", advance)
    digest = sink.digest.hexdigest()
    matches = digest == item["sha256"]
    problem = "" if matches else "differs from the hash recorded when it was sealed"
    return OpenedFile(group, name, target, digest, matches, problem)
