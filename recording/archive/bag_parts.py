"""Part bags: a sealed bag too large for one disc, spread over several valid bags.

RFC 8493 names the two bag-info fields for this: ``Bag-Group-Identifier`` (the whole bag's id)
and ``Bag-Count`` (``2 of 3``). Each part is a complete BagIt bag — its own bagit.txt,
bag-info.txt with its own Payload-Oxum, a manifest holding exactly its files' lines from the
sealed manifest (same hashes), and a tag manifest — so each disc validates on its own with any
BagIt tool. ``PleaDesk-Sealed-Manifest-SHA256`` ties the part to the sealed bag: it is the
SHA-256 of the whole bag's manifest, as recorded in the custody log when it was sealed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from recording.archive.bag import (
    BagError,
    info_lines,
    manifest_sha256,
    read_bag_info,
    read_manifest,
    write_tag_files,
)

TAG_NAMES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt")


def write_part_tags(sealed_bag: Path, files: Sequence[str], part: int, of: int, dest: Path) -> None:
    """Write the tag files of part ``part`` of ``of`` holding ``files`` into folder ``dest``."""
    sealed_bag, dest = Path(sealed_bag), Path(dest)
    manifest = read_manifest(sealed_bag)
    missing = [path for path in files if path not in manifest]
    if missing:
        raise BagError(
            f"The sealed bag {sealed_bag.name} does not list {missing[0]}; the disc plan does "
            "not match the bag. Make a new disc plan."
        )
    size = sum((sealed_bag / path).stat().st_size for path in files)
    fields: dict[str, list[str]] = {}
    for label, value in read_bag_info(sealed_bag):
        if label not in ("Payload-Oxum", "Bag-Group-Identifier", "Bag-Count"):
            fields.setdefault(label, []).append(value)
    fields["Payload-Oxum"] = [f"{size}.{len(files)}"]
    fields["Bag-Group-Identifier"] = [sealed_bag.name]
    fields["Bag-Count"] = [f"{part} of {of}"]
    fields["PleaDesk-Sealed-Manifest-SHA256"] = [manifest_sha256(sealed_bag)]
    dest.mkdir(parents=True, exist_ok=True)
    lines = [f"{manifest[path]}  {path}\n" for path in sorted(files)]
    write_tag_files(dest, info_lines(fields), lines)
