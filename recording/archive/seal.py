"""Sealing a session's evidence (封存): encrypt every file and bag the ciphertexts.

Theory of operation. :func:`seal_bag` takes the session's plaintext files (recordings, signed
documents, logs) and, without modifying or moving them:

1. encrypts each to ``<name>.age`` for every recipient key, hashing plaintext and ciphertext in
   the same pass (the plaintext is read once and never written anywhere). A ciphertext that
   would not fit in one disc file (4 GiB) is written as numbered pieces ``<name>.age.001``,
   ``.002`` ... of ``piece_size`` bytes; ``cat`` joins them back into one age file;
2. encrypts a small JSON list of the plaintext SHA-256 hashes as ``plaintext-sha256.json.age``,
   so whoever holds a key can prove a decrypted file is the original, while the disc itself
   reveals nothing;
3. puts the ciphertexts into a BagIt bag and checks that the bag's manifest matches the
   ciphertext hashes taken while encrypting (a disk fault in between is caught).

The bag holds only ciphertext, so anyone can verify a disc without keys. If any step fails,
everything this call created is removed and the originals are still in place to seal again.
:func:`seal_session` also writes the bag as one ISO image (the demo's one-disc path).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from recording.archive import age
from recording.archive.bag import check_payload_name, make_bag, manifest_sha256, read_manifest
from recording.archive.disc import MAX_FILE_SIZE, build_disc_image, sanitize_volume_id
from recording.archive.seal_io import HashingReader, PieceWriter

SealProgress = Callable[[str, int, int], None]
"""``progress(stage, done_bytes, total_bytes)`` with stage "encrypt", "bag" or "image"."""

BAG_FOLDER = "bag"
HASHES_NAME = "plaintext-sha256.json.age"
HASHES_FORMAT = "pleadesk-plaintext-sha256/1"
PIECE_SIZE = 1024**3  # pieces of an over-large ciphertext: 1 GiB packs well on DVDs and BDs


class SealError(age.ArchiveError):
    """The session's evidence cannot be sealed (bad input, existing output, disk fault)."""


@dataclass(frozen=True)
class SealedFile:
    """One sealed evidence file: its archive name, where it sits in the bag, and its hashes.

    ``pieces`` lists the bag paths holding the ciphertext in order (one unless it was split)
    and ``piece_sha256`` their hashes; ``bag_path`` is the first piece.
    """

    name: str
    bag_path: str
    size: int
    plaintext_sha256: str
    ciphertext_size: int
    ciphertext_sha256: str
    pieces: tuple[str, ...]
    piece_sha256: tuple[str, ...]


@dataclass(frozen=True)
class SealedBag:
    """A sealed bag: where it is, for whom it is encrypted, its files and its manifest hash."""

    bag_dir: Path
    recipients: tuple[str, ...]
    files: tuple[SealedFile, ...]
    manifest_sha256: str


@dataclass(frozen=True)
class SealedArchive:
    """The result of :func:`seal_session`: the bag, its disc image, and every sealed file."""

    bag_dir: Path
    disc_image: Path
    volume_id: str
    recipients: tuple[str, ...]
    files: tuple[SealedFile, ...]


def ciphertext_size(plaintext_size: int, recipients: int) -> int:
    """An upper bound of the age file size for a plaintext (header estimate per recipient)."""
    chunks = max(1, -(-plaintext_size // age.CHUNK_SIZE))
    return 100 + 110 * recipients + 16 + plaintext_size + chunks * age.TAG_SIZE


def _encrypt(
    src: Path,
    staging: Path,
    name: str,
    recipients: Sequence[str],
    progress: age.Progress,
    piece_size: int | None,
) -> SealedFile:
    """Encrypt ``src`` into ``staging/data/<name>.age`` (or its pieces)."""
    base = f"data/{name}.age"
    with open(src, "rb") as fin, PieceWriter(staging, base, piece_size) as out:
        plain = HashingReader(fin)
        age.encrypt_stream(plain, out, recipients, progress, os.fstat(fin.fileno()).st_size)
    return SealedFile(
        name,
        out.pieces[0],
        plain.size,
        plain.digest.hexdigest(),
        out.size,
        out.digest.hexdigest(),
        tuple(out.pieces),
        tuple(out.piece_sha256),
    )


def _check_inputs(payload: Mapping[str, Path], recipients: Sequence[str], bag_dir: Path) -> None:
    if not payload:
        raise SealError("There is nothing to seal: no evidence files were given.")
    if not recipients:
        raise SealError("No recipient key was given, so nobody could ever open the archive.")
    for recipient in recipients:
        age.parse_recipient(recipient)
    for name, src in payload.items():
        check_payload_name(name + ".age.001")
        if name + ".age" == HASHES_NAME:
            raise SealError(f"The archive name {name!r} is reserved; choose another name.")
        if not Path(src).is_file():
            raise SealError(f"The evidence file {src} for {name!r} does not exist.")
    if bag_dir.exists():
        raise SealError(
            f"{bag_dir} already exists: this session may already be sealed. "
            "Use a new work folder rather than overwrite a sealed archive."
        )


def seal_bag(
    payload: Mapping[str, Path],
    recipients: Sequence[str],
    bag_dir: Path,
    bag_info: Mapping[str, str | Sequence[str]],
    progress: SealProgress | None = None,
    *,
    max_file_size: int = MAX_FILE_SIZE,
    piece_size: int = PIECE_SIZE,
) -> SealedBag:
    """Encrypt ``payload`` (archive name -> plaintext file) into a new bag at ``bag_dir``.

    ``bag_info`` goes into bag-info.txt (with the recipients added as ``Encrypted-To`` unless
    given). A ciphertext larger than ``max_file_size`` is stored as pieces of ``piece_size``.
    """
    bag_dir = Path(bag_dir)
    _check_inputs(payload, recipients, bag_dir)
    report = progress or (lambda _stage, _done, _total: None)
    bag_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".seal-", dir=bag_dir.parent))
    bag_made = False
    try:
        files = _encrypt_all(payload, recipients, staging, report, max_file_size, piece_size)
        staged = {p.removeprefix("data/"): staging / p for f in files for p in f.pieces}
        staged[HASHES_NAME] = staging / "data" / HASHES_NAME
        info: dict[str, str | Sequence[str]] = {"Encrypted-To": list(recipients), **bag_info}
        make_bag(bag_dir, staged, info, move=True, progress=lambda d, t: report("bag", d, t))
        bag_made = True
        _check_manifest(bag_dir, files)
    except BaseException as exc:
        if bag_made:
            shutil.rmtree(bag_dir, ignore_errors=True)
        if isinstance(exc, OSError):
            raise SealError(
                f"Sealing stopped because a file could not be read or written ({exc}). Check "
                "free disk space and the evidence files, then seal again; nothing was kept."
            ) from exc
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SealedBag(bag_dir, tuple(recipients), tuple(files), manifest_sha256(bag_dir))


def _check_manifest(bag_dir: Path, files: Sequence[SealedFile]) -> None:
    """The bag's manifest must hold the hashes taken while encrypting."""
    manifest = read_manifest(bag_dir)
    for sealed in files:
        for piece, digest in zip(sealed.pieces, sealed.piece_sha256, strict=True):
            if manifest.get(piece) != digest:
                raise SealError(
                    f"{piece} changed on disk between encryption and bagging: the disk may be "
                    "failing. Check the disk, then seal again from the originals."
                )


def _encrypt_all(
    payload: Mapping[str, Path],
    recipients: Sequence[str],
    staging: Path,
    report: SealProgress,
    max_file_size: int,
    piece_size: int,
) -> list[SealedFile]:
    """Encrypt every payload file and the plaintext hash list into ``staging/data``."""
    total = sum(Path(src).stat().st_size for src in payload.values())
    done_before = 0
    files = []
    for name, src in sorted(payload.items()):
        size = Path(src).stat().st_size
        split = ciphertext_size(size, len(recipients)) > max_file_size

        def file_progress(done: int, _total: int, base: int = done_before) -> None:
            report("encrypt", base + done, total)

        writer_pieces = piece_size if split else None
        sealed = _encrypt(Path(src), staging, name, recipients, file_progress, writer_pieces)
        files.append(sealed)
        done_before += sealed.size
    hashes = {
        "format": HASHES_FORMAT,
        "files": [
            {
                "name": f.name,
                "size": f.size,
                "sha256": f.plaintext_sha256,
                "encrypted": list(f.pieces),
            }
            for f in files
        ],
    }
    text = json.dumps(hashes, ensure_ascii=False, indent=2).encode() + b"\n"
    with open(staging / "data" / HASHES_NAME, "xb") as out:
        age.encrypt_stream(io.BytesIO(text), out, recipients)
        out.flush()
        os.fsync(out.fileno())
    report("encrypt", total, total)
    return files


def seal_session(
    payload: Mapping[str, Path],
    recipients: Sequence[str],
    work_dir: Path,
    bag_info: Mapping[str, str],
    volume_id: str,
    progress: SealProgress | None = None,
) -> SealedArchive:
    """Seal ``payload`` into ``work_dir/bag`` and write the bag as ``work_dir/<VOLUME_ID>.iso``.

    Everything this call made is removed again if any step fails.
    """
    work_dir = Path(work_dir)
    label = sanitize_volume_id(volume_id)
    image = work_dir / f"{label}.iso"
    _check_inputs(payload, recipients, work_dir / BAG_FOLDER)
    if image.exists():
        raise SealError(f"{image} already exists; use a new work folder.")
    report = progress or (lambda _stage, _done, _total: None)
    bag = seal_bag(payload, recipients, work_dir / BAG_FOLDER, bag_info, report)
    try:
        build_disc_image(bag.bag_dir, image, label, progress=lambda d, t: report("image", d, t))
    except BaseException:
        shutil.rmtree(bag.bag_dir, ignore_errors=True)
        raise
    return SealedArchive(bag.bag_dir, image, label, bag.recipients, bag.files)
