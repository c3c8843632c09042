"""Sealing a session's evidence (封存): encrypt every file, bag the ciphertexts, make a disc image.

Theory of operation. ``seal_session`` takes the session's plaintext files (recordings, signed
documents, logs) and, without modifying or moving them:

1. encrypts each to ``<name>.age`` for every recipient key, hashing plaintext and ciphertext in
   the same pass (the plaintext is read once and never written anywhere);
2. encrypts a small JSON list of the plaintext SHA-256 hashes as ``plaintext-sha256.json.age``,
   so whoever holds a key can prove a decrypted file is the original, while the disc itself
   reveals nothing;
3. puts the ciphertexts into a BagIt bag at ``work_dir/bag`` and checks that the bag's manifest
   matches the ciphertext hashes taken while encrypting (a disk fault in between is caught);
4. writes the bag as ISO image ``work_dir/<VOLUME_ID>.iso``.

The bag holds only ciphertext, so anyone can verify a disc without keys. If any step fails,
everything this call created is removed and the originals are still in place to seal again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from recording import age
from recording.bag import check_payload_name, make_bag, read_manifest
from recording.disc import build_disc_image, sanitize_volume_id

SealProgress = Callable[[str, int, int], None]
"""``progress(stage, done_bytes, total_bytes)`` with stage "encrypt", "bag" or "image"."""

BAG_FOLDER = "bag"
HASHES_NAME = "plaintext-sha256.json.age"
HASHES_FORMAT = "pleadesk-plaintext-sha256/1"


class SealError(age.ArchiveError):
    """The session's evidence cannot be sealed (bad input, existing output, disk fault)."""


@dataclass(frozen=True)
class SealedFile:
    """One sealed evidence file: its archive name, where it sits in the bag, and its hashes."""

    name: str
    bag_path: str
    size: int
    plaintext_sha256: str
    ciphertext_size: int
    ciphertext_sha256: str


@dataclass(frozen=True)
class SealedArchive:
    """The result of sealing: the bag, its disc image, and every sealed file."""

    bag_dir: Path
    disc_image: Path
    volume_id: str
    recipients: tuple[str, ...]
    files: tuple[SealedFile, ...]


class _Hashing:
    """Wraps a binary stream and hashes every byte read from or written to it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        """Read and hash up to ``size`` bytes."""
        data = self._stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def write(self, data: bytes) -> int:
        """Hash and write ``data``."""
        self.digest.update(data)
        self.size += len(data)
        return self._stream.write(data)


def _encrypt(
    src: Path, dst: Path, recipients: Sequence[str], progress: age.Progress
) -> tuple[int, str, int, str]:
    """Encrypt ``src`` to new file ``dst``; return (plain size, plain sha, cipher size, sha)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        plain, cipher = _Hashing(fin), _Hashing(fout)
        age.encrypt_stream(plain, cipher, recipients, progress)  # type: ignore[arg-type]
        fout.flush()
        os.fsync(fout.fileno())
    dst.chmod(0o644)
    return plain.size, plain.digest.hexdigest(), cipher.size, cipher.digest.hexdigest()


def _check_inputs(payload: Mapping[str, Path], recipients: Sequence[str], work_dir: Path) -> None:
    if not payload:
        raise SealError("There is nothing to seal: no evidence files were given.")
    if not recipients:
        raise SealError("No recipient key was given, so nobody could ever open the archive.")
    for recipient in recipients:
        age.parse_recipient(recipient)
    for name, src in payload.items():
        check_payload_name(name + ".age")
        if name + ".age" == HASHES_NAME:
            raise SealError(f"The archive name {name!r} is reserved; choose another name.")
        if not Path(src).is_file():
            raise SealError(f"The evidence file {src} for {name!r} does not exist.")
    if (work_dir / BAG_FOLDER).exists():
        raise SealError(
            f"{work_dir / BAG_FOLDER} already exists: this session may already be sealed. "
            "Use a new work folder rather than overwrite a sealed archive."
        )


def seal_session(
    payload: Mapping[str, Path],
    recipients: Sequence[str],
    work_dir: Path,
    bag_info: Mapping[str, str],
    volume_id: str,
    progress: SealProgress | None = None,
) -> SealedArchive:
    """Encrypt ``payload`` (archive name -> plaintext file), bag it and build its disc image.

    ``bag_info`` goes into bag-info.txt (with the recipients added as ``Encrypted-To`` unless
    given); ``volume_id`` names the disc and the image ``work_dir/<VOLUME_ID>.iso``.
    """
    work_dir = Path(work_dir)
    _check_inputs(payload, recipients, work_dir)
    label = sanitize_volume_id(volume_id)
    image = work_dir / f"{label}.iso"
    if image.exists():
        raise SealError(f"{image} already exists; use a new work folder.")
    report = progress or (lambda _stage, _done, _total: None)
    work_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".seal-", dir=work_dir))
    bag_dir = work_dir / BAG_FOLDER
    bag_made = False
    try:
        files = _encrypt_all(payload, recipients, staging, report)
        staged = {f.bag_path.removeprefix("data/"): staging / f.bag_path for f in files}
        staged[HASHES_NAME] = staging / HASHES_NAME
        info: dict[str, str | Sequence[str]] = {"Encrypted-To": list(recipients), **bag_info}
        make_bag(bag_dir, staged, info, move=True, progress=lambda d, t: report("bag", d, t))
        bag_made = True
        manifest = read_manifest(bag_dir)
        for sealed in files:
            if manifest.get(sealed.bag_path) != sealed.ciphertext_sha256:
                raise SealError(
                    f"{sealed.bag_path} changed on disk between encryption and bagging: the "
                    "disk may be failing. Check the disk, then seal again from the originals."
                )
        build_disc_image(bag_dir, image, label, progress=lambda d, t: report("image", d, t))
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
    return SealedArchive(bag_dir, image, label, tuple(recipients), tuple(files))


def _encrypt_all(
    payload: Mapping[str, Path], recipients: Sequence[str], staging: Path, report: SealProgress
) -> list[SealedFile]:
    """Encrypt every payload file and the plaintext hash list into ``staging``."""
    total = sum(Path(src).stat().st_size for src in payload.values())
    done_before = 0
    files = []
    for name, src in sorted(payload.items()):
        bag_path = f"data/{name}.age"

        def file_progress(done: int, _total: int, base: int = done_before) -> None:
            report("encrypt", base + done, total)

        sizes = _encrypt(Path(src), staging / bag_path, recipients, file_progress)
        files.append(SealedFile(name, bag_path, *sizes))
        done_before += sizes[0]
    hashes = {
        "format": HASHES_FORMAT,
        "files": [
            {"name": f.name, "size": f.size, "sha256": f.plaintext_sha256, "encrypted": f.bag_path}
            for f in files
        ],
    }
    text = json.dumps(hashes, ensure_ascii=False, indent=2).encode() + b"\n"
    with open(staging / HASHES_NAME, "xb") as out:
        age.encrypt_stream(io.BytesIO(text), out, recipients)
        out.flush()
        os.fsync(out.fileno())
    report("encrypt", total, total)
    return files
