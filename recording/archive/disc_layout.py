"""What exactly goes on a planned disc: every file, where it comes from, and its SHA-256.

A disc holds one folder per bag (or part bag) and a README at the root:

    README.txt                      what the disc is and how to check and open it
    <bag id>/bagit.txt ...          a whole sealed bag, as sealed
    <bag id>-part1of3/...           a part of a split bag (tag files made for the part)

Whole bags are taken from the archive as they are; part bags get their own tag files, written
to a staging folder (:mod:`recording.archive.bag_parts`). Every staged file gets the plan's time as
its modification time, so two copies made on different days are the same image byte for byte.
The expected SHA-256 of each payload file is the bag manifest's; tag files are hashed here.
These expectations are what a disc is read back against after burning.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from recording.archive.bag import MANIFEST, BagError, hash_file, read_manifest
from recording.archive.bag_parts import TAG_NAMES, write_part_tags
from recording.archive.discplan import PlannedDisc

README = "README.txt"


@dataclass(frozen=True)
class LayoutFile:
    """One file of a disc: its path on the disc, the file it is made from, hash and size."""

    disc_path: str
    source: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class DiscLayout:
    """Every file of one disc, and the disc's id and time."""

    disc_id: str
    created: datetime
    files: tuple[LayoutFile, ...]

    @property
    def total_bytes(self) -> int:
        """Bytes of file data on the disc."""
        return sum(f.size for f in self.files)

    def expected(self) -> dict[str, str]:
        """``{disc path: sha256}`` for a read-back check."""
        return {f.disc_path: f.sha256 for f in self.files}

    def manifest_hashes(self) -> dict[str, str]:
        """``{bag folder: SHA-256 of its manifest}`` for the label and the custody log."""
        return {
            f.disc_path.split("/")[0]: f.sha256
            for f in self.files
            if f.disc_path.endswith("/" + MANIFEST)
        }


def _staged(path: Path, created: datetime) -> None:
    stamp = created.timestamp()
    os.utime(path, (stamp, stamp))


def readme_text(disc: PlannedDisc) -> str:
    """The disc's README: what it holds and how to check and open it with standard tools."""
    bags = "\n".join(
        f"  {part.folder}    {part.case_number}"
        + (f"  ({part.part}/{part.of})" if part.of > 1 else "")
        for part in disc.parts
    )
    return (
        f"证据光盘 / Evidence disc {disc.disc_id}\n\n"
        f"本光盘内容 / Bags on this disc:\n{bags}\n\n"
        "每个文件夹是一个 BagIt 包（RFC 8493），内容均为 age 加密文件（.age）。\n"
        "Each folder is a BagIt bag (RFC 8493) of age-encrypted files (.age).\n\n"
        "校验（无需密钥）/ Check, no key needed:\n"
        "  bagit.py --validate <folder>\n"
        "  或 / or: cd <folder> && sha256sum -c manifest-sha256.txt\n"
        "解密（需持有密钥）/ Open, with a recipient's key:\n"
        "  age -d -i key.txt -o FILE data/.../FILE.age\n"
        "  分段文件 / pieces: cat FILE.age.001 FILE.age.002 ... | age -d -i key.txt > FILE\n"
        "明文哈希（加密保存）/ Plaintext hashes (encrypted): data/plaintext-sha256.json.age\n"
    )


def lay_out_disc(disc: PlannedDisc, bags_dir: Path, staging: Path, created: datetime) -> DiscLayout:
    """List every file of ``disc``, writing README and part tag files under ``staging``."""
    bags_dir, staging = Path(bags_dir), Path(staging)
    staging.mkdir(parents=True, exist_ok=True)
    readme = staging / README
    readme.write_text(readme_text(disc), encoding="utf-8")
    _staged(readme, created)
    files = [LayoutFile(README, readme, hash_file(readme), readme.stat().st_size)]
    for part in disc.parts:
        files += _part_files(
            part.bag_id, part.folder, part.files, part.part, part.of, bags_dir, staging, created
        )
    return DiscLayout(disc.disc_id, created, tuple(files))


def _part_files(
    bag_id: str,
    folder: str,
    payload: Sequence[str],
    part: int,
    of: int,
    bags_dir: Path,
    staging: Path,
    created: datetime,
) -> list[LayoutFile]:
    sealed = bags_dir / bag_id
    if not (sealed / MANIFEST).is_file():
        raise BagError(
            f"The sealed bag {bag_id} is not in the archive at {sealed}. Restore the archive "
            "folder, or make a new disc plan."
        )
    manifest = read_manifest(sealed)
    if of == 1:
        if sorted(manifest) != sorted(payload):
            raise BagError(
                f"The sealed bag {bag_id} no longer matches the disc plan. Make a new plan."
            )
        tag_dir = sealed
    else:
        tag_dir = staging / folder
        write_part_tags(sealed, payload, part, of, tag_dir)
        for name in TAG_NAMES:
            _staged(tag_dir / name, created)
    out = []
    for name in TAG_NAMES:
        path = tag_dir / name
        out.append(LayoutFile(f"{folder}/{name}", path, hash_file(path), path.stat().st_size))
    for data_path in sorted(payload):
        source = sealed / data_path
        size = source.stat().st_size
        out.append(LayoutFile(f"{folder}/{data_path}", source, manifest[data_path], size))
    return out
