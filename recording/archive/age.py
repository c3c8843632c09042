"""age v1 encryption (age-encryption.org/v1) with X25519 keys, on ``cryptography`` primitives.

An age file is a text header (:mod:`recording.archive.age_header`: one stanza per recipient, each
wrapping the same random 16-byte file key, closed by a MAC) followed by a 16-byte nonce and the
payload (:mod:`recording.archive.age_stream`: 64 KiB ChaCha20-Poly1305 chunks). Keys and key files
are in :mod:`recording.archive.age_keys`, errors in :mod:`recording.archive.errors`; this module
joins them and is what the rest of the application imports.

Files stay readable by the standard ``age`` tool (``age -d -i key.txt``), the recovery path that
needs none of this application. Every failure is an :class:`ArchiveError` whose message tells an
evidence clerk what happened and what to do. Files are written to a temporary name and renamed
only when complete, so a failed decryption never leaves partial plaintext under the name the
clerk asked for.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from recording.archive.age_header import VERSION_LINE, encode_header, read_header, unwrap_file_key
from recording.archive.age_keys import (
    IDENTITY_PREFIX,
    RECIPIENT_PREFIX,
    Identity,
    hkdf,
    load_identities,
    load_or_create_identity,
    parse_recipient,
    recipient_fingerprint,
    write_identity_file,
)
from recording.archive.age_stream import (
    CHUNK_SIZE,
    TAG_SIZE,
    Progress,
    Readable,
    Writable,
    decrypt_payload,
    encrypt_payload,
)
from recording.archive.errors import (
    AlteredFileError,
    ArchiveError,
    DamagedFileError,
    IdentityFileError,
    InvalidKeyError,
    NoMatchingIdentityError,
    NotAgeFileError,
    TruncatedFileError,
)

__all__ = [
    "CHUNK_SIZE",
    "IDENTITY_PREFIX",
    "RECIPIENT_PREFIX",
    "TAG_SIZE",
    "VERSION_LINE",
    "AlteredFileError",
    "ArchiveError",
    "DamagedFileError",
    "Identity",
    "IdentityFileError",
    "InvalidKeyError",
    "NoMatchingIdentityError",
    "NotAgeFileError",
    "Progress",
    "TruncatedFileError",
    "decrypt_file",
    "decrypt_stream",
    "encrypt_file",
    "encrypt_stream",
    "load_identities",
    "load_or_create_identity",
    "parse_recipient",
    "recipient_fingerprint",
    "write_identity_file",
]

_FILE_KEY_SIZE = 16
_NONCE_SIZE = 16
_WRITE_BEHIND_POLL = 0.05  # seconds between looks at how far the output has grown
_WRITE_BEHIND_LAG = 8 << 20  # left alone at the end: blocks still being written out of order

log = logging.getLogger(__name__)


def encrypt_stream(
    src: Readable,
    dst: Writable,
    recipients: Sequence[str],
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """Encrypt binary stream ``src`` into ``dst`` for every recipient; return bytes read.

    ``total`` is only passed back to ``progress`` (the expected plaintext size, if known).
    """
    recipient_keys = [parse_recipient(r) for r in recipients]
    if not recipient_keys:
        raise InvalidKeyError("No recipient key was given, so nobody could ever decrypt the file.")
    file_key = os.urandom(_FILE_KEY_SIZE)
    nonce = os.urandom(_NONCE_SIZE)
    dst.write(memoryview(encode_header(file_key, recipient_keys) + nonce))
    return encrypt_payload(src, dst, hkdf(file_key, nonce, b"payload"), progress, total)


def decrypt_stream(
    src: io.BufferedIOBase,
    dst: Writable,
    identities: Sequence[Identity],
    progress: Progress | None = None,
    total: int = 0,
    name: str = "The file",
) -> int:
    """Decrypt ``src`` into ``dst`` with the first identity that opens it; return bytes read.

    Each chunk is authenticated before it is written, but a later chunk may still fail: the
    caller must discard ``dst`` on error (:func:`decrypt_file` does). ``progress`` counts bytes
    read from ``src``; ``name`` is how error messages refer to the file.
    """
    header = read_header(src, name)
    file_key = unwrap_file_key(header, identities, name)
    nonce = src.read(_NONCE_SIZE)
    if len(nonce) < _NONCE_SIZE:
        raise TruncatedFileError(f"{name} ends right after its header: the contents are missing.")
    key = hkdf(file_key, nonce, b"payload")
    done = header.size + _NONCE_SIZE
    return decrypt_payload(src, dst, key, progress, done, total, name)


class _WriteBehind:
    """Sends a growing file to the disk while it is being written, instead of all at the fsync.

    A disk may take longer to write a file than it takes to encrypt it (here about twice as
    long), so left to the final fsync the writing would follow the encryption instead of
    overlapping it. A thread looks every few hundredths of a second how far the file has grown
    and advises the kernel that the new part, less the last few MiB (blocks still being
    written), will not be needed again: for pages still dirty, as these are, that starts their
    write-out without waiting for it, and they are not dropped from the cache.
    """

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="age-write-behind")

    def __enter__(self) -> _WriteBehind:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        sent = 0
        while not self._stop.wait(_WRITE_BEHIND_POLL):
            try:
                ready = os.fstat(self._descriptor).st_size - _WRITE_BEHIND_LAG
                if ready > sent:
                    os.posix_fadvise(self._descriptor, sent, ready - sent, os.POSIX_FADV_DONTNEED)
                    sent = ready
            except OSError as error:  # only the head start is lost: the fsync writes it all
                log.warning("Writing ahead to disk stopped: %s", error)
                return


@contextmanager
def atomic_output(dst: Path, mode: int) -> Iterator[BinaryIO]:
    """Write to a hidden temporary file beside ``dst``; fsync and rename over it on success."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".partial", dir=dst.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            with _WriteBehind(fd):
                yield out
            out.flush()
            os.fsync(out.fileno())  # evidence must be on disk before it gets its final name
        tmp.chmod(mode)
        tmp.replace(dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def encrypt_file(
    src: Path, dst: Path, recipients: Sequence[str], progress: Progress | None = None
) -> int:
    """Encrypt file ``src`` to age file ``dst`` for all ``recipients``; return plaintext bytes.

    Ciphertext is not secret, so ``dst`` is world-readable (mode 0644).
    """
    src, dst = Path(src), Path(dst)
    for recipient in recipients:
        parse_recipient(recipient)  # fail on a bad key before touching any file
    with open(src, "rb") as fin, atomic_output(dst, 0o644) as fout:
        return encrypt_stream(fin, fout, recipients, progress, os.fstat(fin.fileno()).st_size)


def decrypt_file(
    src: Path, dst: Path, identities: Sequence[Identity], progress: Progress | None = None
) -> None:
    """Decrypt age file ``src`` to ``dst`` (mode 0600); on any error ``dst`` is not created."""
    src, dst = Path(src), Path(dst)
    with open(src, "rb") as fin, atomic_output(dst, 0o600) as fout:
        total = os.fstat(fin.fileno()).st_size
        decrypt_stream(fin, fout, identities, progress, total, name=f"'{src.name}'")
