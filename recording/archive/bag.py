"""BagIt 1.0 bags (RFC 8493) for evidence files.

A bag is a folder anyone can check without special software or keys:

    bagit.txt               version and tag encoding
    bag-info.txt            Bagging-Date, Payload-Oxum ("bytes.files") and the caller's fields
    data/...                the payload (here: age ciphertexts, never plaintext)
    manifest-sha256.txt     "<sha256>  data/<path>" for every payload file
    tagmanifest-sha256.txt  the same for the three tag files above

Bags are written here (hashing while copying, so each payload byte is read once) and checked
with the Library of Congress ``bagit`` package plus our own per-file hashing, so a failure names
the file. A bag is assembled in a hidden folder beside its target and renamed into place when
complete: a folder with the bag's name is always a whole bag.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import bagit

from recording.archive.errors import ArchiveError

Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)`` while payload files are copied or checked."""

ALGORITHM = "sha256"
MANIFEST = f"manifest-{ALGORITHM}.txt"
TAG_MANIFEST = f"tagmanifest-{ALGORITHM}.txt"
_BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_SOFTWARE_AGENT = "PleaDesk evidence archive"
_BLOCK = 1024 * 1024


class BagError(ArchiveError):
    """A bag cannot be made (bad payload name, target already exists, source unreadable)."""


@dataclass(frozen=True)
class BagProblem:
    """One file that fails a bag check: its path inside the bag and what is wrong with it."""

    path: str
    problem: str


class BagInvalidError(ArchiveError):
    """A bag fails validation; ``problems`` names each bad file."""

    def __init__(self, bag_dir: Path, problems: Sequence[BagProblem], detail: str = "") -> None:
        self.bag_dir = bag_dir
        self.problems = tuple(problems)
        listed = "; ".join(f"{p.path} ({p.problem})" for p in self.problems[:10])
        more = f" and {len(self.problems) - 10} more" if len(self.problems) > 10 else ""
        what = listed + more if listed else detail
        super().__init__(
            f"The evidence bag at {bag_dir} failed its integrity check: {what}. Do not use this "
            "copy; verify another copy of the disc and report the discrepancy."
        )


def check_payload_name(name: str) -> PurePosixPath:
    """Return ``name`` as a relative path if it is safe in a bag, a manifest and on a disc.

    Refused: absolute paths, empty, ``.`` or ``..`` parts, backslashes, control characters,
    ``%`` (manifests would need percent-encoding that common tools do not decode) and leading
    or trailing spaces (manifest lines are whitespace-separated).
    """
    path = PurePosixPath(name)
    parts = name.split("/")
    bad = (
        not name
        or path.is_absolute()
        or any(part in ("", ".", "..") or part != part.strip() for part in parts)
        or any(c in name for c in "\\%")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
        or any(len(part.encode()) > 255 for part in parts)
    )
    if bad:
        raise BagError(
            f"The archive name {name!r} cannot be stored in an evidence bag. Use a relative path "
            "of plain folder and file names (no '..', '%', backslashes or control characters)."
        )
    return path


def _info_lines(fields: Mapping[str, str | Sequence[str]]) -> list[str]:
    lines = []
    for label, value in fields.items():
        values = [value] if isinstance(value, str) else list(value)
        if not label or label != label.strip() or ":" in label or "\n" in label:
            raise BagError(f"{label!r} cannot be used as a bag-info.txt label.")
        for item in values:
            if "\n" in item or "\r" in item:
                raise BagError(f"The bag-info.txt value for {label} must be one line.")
            lines.append(f"{label}: {item}\n")
    return lines


def hash_file(
    path: Path, advance: Callable[[int], None] | None = None, algorithm: str = ALGORITHM
) -> str:
    """The file's digest in hex (SHA-256 unless told), read in blocks; ``advance(n)`` after
    each block, for progress."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fin:
        while block := fin.read(_BLOCK):
            digest.update(block)
            if advance is not None:
                advance(len(block))
    return digest.hexdigest()


def _copy_hashed(src: Path, dst: Path, move: bool, advance: Callable[[int], None]) -> str:
    """Put ``src`` at ``dst`` and return its checksum, reading every byte once."""
    if move:
        shutil.move(src, dst)
        return hash_file(dst, advance)
    digest = hashlib.new(ALGORITHM)
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while block := fin.read(_BLOCK):
            digest.update(block)
            fout.write(block)
            advance(len(block))
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest()


def _write_synced(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def write_tag_files(root: Path, info: Sequence[str], manifest: Sequence[str]) -> None:
    """Write bagit.txt, bag-info.txt (``info`` lines), the manifest and the tag manifest.

    ``manifest`` lines are ``"<sha256>  data/<path>\n"``. Files are new and fsynced.
    """
    _write_synced(root / "bagit.txt", _BAGIT_TXT)
    _write_synced(root / "bag-info.txt", "".join(info))
    _write_synced(root / MANIFEST, "".join(manifest))
    tag_lines = [f"{hash_file(root / n)}  {n}\n" for n in ("bagit.txt", "bag-info.txt", MANIFEST)]
    _write_synced(root / TAG_MANIFEST, "".join(tag_lines))


def info_lines(fields: Mapping[str, str | Sequence[str]]) -> list[str]:
    """bag-info.txt lines (``Label: value``) for ``fields``; a list value repeats its label."""
    return _info_lines(fields)


def read_bag_info(bag_dir: Path) -> list[tuple[str, str]]:
    """The (label, value) pairs of bag-info.txt in file order (continuation lines joined)."""
    pairs: list[tuple[str, str]] = []
    for line in (Path(bag_dir) / "bag-info.txt").read_text(encoding="utf-8").splitlines():
        if line[:1] in (" ", "\t") and pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + " " + line.strip())
        elif ":" in line:
            label, value = line.split(":", 1)
            pairs.append((label.strip(), value.strip()))
    return pairs


def manifest_sha256(bag_dir: Path) -> str:
    """SHA-256 of the bag's payload manifest: one value that pins every payload file."""
    return hash_file(Path(bag_dir) / MANIFEST)


def make_bag(
    bag_dir: Path,
    payload: Mapping[str, Path],
    bag_info: Mapping[str, str | Sequence[str]],
    *,
    move: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Create a BagIt 1.0 bag at ``bag_dir`` whose ``data/`` holds ``payload``; return its path.

    ``payload`` maps names inside ``data/`` (sub-folders allowed) to source files, which are
    copied (or, with ``move=True``, moved: then they are consumed even if bagging fails).
    ``bag_info`` fields are added to bag-info.txt after Bagging-Date (today unless given),
    Bag-Software-Agent and Payload-Oxum; a list value repeats its label. ``bag_dir`` must not
    exist yet (or be an empty folder): evidence is never overwritten.
    """
    bag_dir = Path(bag_dir)
    names = {str(check_payload_name(name)): Path(src) for name, src in payload.items()}
    if bag_dir.exists() and (not bag_dir.is_dir() or any(bag_dir.iterdir())):
        raise BagError(f"{bag_dir} already exists and is not empty; choose a new folder.")
    try:
        total = sum(src.stat().st_size for src in names.values())
    except OSError as exc:
        raise BagError(f"A file to be archived cannot be read: {exc}.") from None
    info_fields: dict[str, str | Sequence[str]] = {
        "Bagging-Date": date.today().isoformat(),
        "Bag-Software-Agent": _SOFTWARE_AGENT,
        "Payload-Oxum": "",
    }
    info_fields.update(bag_info)
    info_fields["Payload-Oxum"] = f"{total}.{len(names)}"  # always computed, never taken
    info = _info_lines(info_fields)
    bag_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{bag_dir.name}.", suffix=".partial", dir=bag_dir.parent)
    )
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    try:
        manifest = []
        for name, src in sorted(names.items()):
            target = staging / "data" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            manifest.append(f"{_copy_hashed(src, target, move, advance)}  data/{name}\n")
        write_tag_files(staging, info, manifest)
        staging.chmod(0o755)  # mkdtemp makes it private; a bag is meant to be shared
        staging.replace(bag_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return bag_dir


def read_manifest(bag_dir: Path) -> dict[str, str]:
    """Return ``{path inside the bag: sha256}`` for the payload files listed in the manifest."""
    entries = {}
    for line in (Path(bag_dir) / MANIFEST).read_text(encoding="utf-8").splitlines():
        if line.strip():
            checksum, path = line.split(maxsplit=1)
            entries[path] = checksum.lower()
    return entries


def _check_entries(bag: bagit.Bag, root: Path, progress: Progress | None) -> list[BagProblem]:
    missing, unexpected = bag.compare_manifests_with_fs()
    problems = [BagProblem(p, "missing") for p in sorted(missing)]
    problems += [BagProblem(p, "not listed in the manifest") for p in sorted(unexpected)]
    entries = {p: h for p, h in sorted(bag.entries.items()) if p not in missing}
    total = sum((root / p).stat().st_size for p in entries if (root / p).is_file())
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    for path, hashes in entries.items():
        for algorithm, expected in hashes.items():
            try:
                found = hash_file(root / path, advance, algorithm)
            except OSError as exc:
                problems.append(BagProblem(path, f"unreadable: {exc.strerror or exc}"))
                break
            if found != expected.lower():
                problems.append(BagProblem(path, f"altered: {algorithm} checksum differs"))
    return problems


def verify_bag(bag_dir: Path, progress: Progress | None = None) -> None:
    """Check every file of the bag against its manifests; raise :class:`BagInvalidError` if not.

    Every bad file is named (missing, unlisted, altered or unreadable); then ``bagit`` checks
    the structure and Payload-Oxum as an independent second opinion.
    """
    bag_dir = Path(bag_dir)
    try:
        bag = bagit.Bag(str(bag_dir))
    except bagit.BagError as exc:
        raise BagInvalidError(bag_dir, (), f"it is not a readable BagIt bag ({exc})") from None
    if ALGORITHM not in bag.algorithms:
        raise BagInvalidError(bag_dir, (), f"it has no {ALGORITHM} manifest")
    problems = _check_entries(bag, bag_dir, progress)
    if problems:
        raise BagInvalidError(bag_dir, problems)
    try:
        bag.validate(completeness_only=True)
    except bagit.BagError as exc:
        raise BagInvalidError(bag_dir, (), str(exc)) from None
