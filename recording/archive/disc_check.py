"""Checking a stored disc on its own (抽查): every bag on it, every file read back and hashed.

Nothing but the disc is needed: each bag folder's manifest and tag manifest are read off the
disc, and every file is read back and compared with them. If the archive's custody log is at
hand, each bag's manifest is also compared with the one recorded when the bag was sealed (or,
for a part bag, when the disc was burned), so a disc whose files *and* manifests were replaced
consistently is still caught. The README at the disc's root is read but not compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from recording.archive.bag import MANIFEST, TAG_MANIFEST
from recording.archive.disc_layout import README
from recording.archive.disc_read import (
    Progress,
    ReadBack,
    ReadProblem,
    read_back,
    read_disc_directory,
    read_disc_file,
)


@dataclass(frozen=True)
class BagOnDisc:
    """A bag folder found on a disc: its manifest hash as read and as recorded (if known)."""

    folder: str
    manifest_sha256: str
    recorded_sha256: str | None


@dataclass(frozen=True)
class DiscCheck:
    """A disc checked: its volume id, bags, the read-back, and every problem found."""

    target: str
    volume_id: str
    bags: tuple[BagOnDisc, ...]
    read_back: ReadBack
    problems: tuple[ReadProblem, ...]

    @property
    def ok(self) -> bool:
        """True when every file matches and every bag matches the custody record."""
        return not self.problems


def _parse_manifest(text: str, folder: str) -> dict[str, str]:
    entries = {}
    for line in text.splitlines():
        if line.strip():
            checksum, path = line.split(maxsplit=1)
            entries[f"{folder}/{path}"] = checksum.lower()
    return entries


def check_disc(
    target: str,
    recorded: Callable[[str], str | None] | None = None,
    progress: Progress | None = None,
) -> DiscCheck:
    """Check the disc in ``target``; ``recorded(folder)`` gives a bag's recorded manifest hash."""
    directory = read_disc_directory(target)
    folders = sorted(
        path.split("/")[0]
        for path in directory.files
        if path.count("/") == 1 and path.endswith("/bagit.txt")
    )
    expected: dict[str, str] = {}
    problems: list[ReadProblem] = []
    bags = []
    unchecked = [README]
    for folder in folders:
        manifest_file = directory.files.get(f"{folder}/{MANIFEST}")
        tag_file = directory.files.get(f"{folder}/{TAG_MANIFEST}")
        if manifest_file is None or tag_file is None:
            problems.append(ReadProblem(folder, "has no SHA-256 manifest or tag manifest"))
            continue
        manifest = read_disc_file(target, manifest_file)
        expected.update(_parse_manifest(manifest.decode("utf-8"), folder))
        expected.update(_parse_manifest(read_disc_file(target, tag_file).decode("utf-8"), folder))
        unchecked.append(f"{folder}/{TAG_MANIFEST}")
        digest = hashlib.sha256(manifest).hexdigest()
        known = recorded(folder) if recorded is not None else None
        bags.append(BagOnDisc(folder, digest, known))
        if recorded is not None and known is None:
            problems.append(ReadProblem(folder, "is not in the custody log"))
        elif known is not None and known != digest:
            problems.append(
                ReadProblem(folder, "its manifest differs from the one recorded at sealing")
            )
    if not folders:
        problems.append(ReadProblem("/", "holds no evidence bag"))
    result = read_back(target, expected, progress, directory=directory, unchecked=unchecked)
    return DiscCheck(
        target,
        directory.volume_id,
        tuple(bags),
        result,
        tuple(problems) + result.problems,
    )
