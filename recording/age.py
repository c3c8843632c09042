"""age v1 encryption (age-encryption.org/v1) with X25519 keys, on ``cryptography`` primitives.

Theory of operation. An age file is a text header followed by a binary payload:

    age-encryption.org/v1
    -> X25519 <ephemeral share, base64>      one stanza per recipient; each wraps the
    <wrapped file key, base64>               same random 16-byte file key
    --- <HMAC-SHA-256 of the header, base64>
    <16-byte nonce><payload chunks>

The payload key is HKDF(file key, salt=nonce, "payload"). The plaintext is cut into 64 KiB
chunks, each sealed with ChaCha20-Poly1305 under the nonce ``counter (11 bytes) || last flag``;
only the final chunk carries flag 1, which is how a cut-off file is told apart from a whole one.
Files stay readable by the standard ``age`` tool (``age -d -i key.txt``), the recovery path that
needs none of this application. Memory use is a few chunks whatever the file size.

Every failure is an :class:`ArchiveError` whose message tells an evidence clerk what happened and
what to do. Files are written to a temporary name and renamed only when complete, so a failed
decryption never leaves partial plaintext under the name the clerk asked for.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from hashlib import sha256
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recording import bech32

Progress = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)``, called every few chunks and once at the end."""

VERSION_LINE = b"age-encryption.org/v1"
RECIPIENT_PREFIX = "age"
IDENTITY_PREFIX = "AGE-SECRET-KEY-"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
_X25519_LABEL = b"age-encryption.org/v1/X25519"
_FILE_KEY_SIZE = 16
_MORE, _LAST = b"\x00", b"\x01"
_ZERO_NONCE = bytes(12)
_MAX_LINE = 4096  # a header line is far shorter; a longer one is not an age header
_MAX_HEADER = 1024 * 1024  # thousands of recipients; stops a garbage file eating memory
_BLOCK_CHUNKS = 16  # chunks per unit of work for a worker thread (and per progress call)
_WINDOW = 4  # blocks in flight at once


class ArchiveError(Exception):
    """Base of every evidence-archive error (encryption, bag, disc image, sealing)."""


class InvalidKeyError(ArchiveError):
    """A recipient (``age1...``) or identity (``AGE-SECRET-KEY-1...``) string is malformed."""


class IdentityFileError(ArchiveError):
    """A key file is missing, unreadable, malformed, or would be overwritten."""


class NotAgeFileError(ArchiveError):
    """The file is not an age-encrypted file at all."""


class NoMatchingIdentityError(ArchiveError):
    """None of the given keys can open the file (wrong key)."""


class DamagedFileError(ArchiveError):
    """The encrypted file is damaged: cut short or altered. Use another copy."""


class TruncatedFileError(DamagedFileError):
    """The encrypted file ends early (an interrupted copy or a bad disc read)."""


class AlteredFileError(DamagedFileError):
    """The header MAC or a chunk's authentication tag does not match: the bytes were changed."""


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(secret)


def _b64encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    """Strict unpadded base64: anything non-canonical is a damaged header."""
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("bad base64") from None
    if b"=" in text or _b64encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


def _key_error(kind: str, text: str) -> InvalidKeyError:
    # Never echo an identity: it is a secret key.
    shown = text[:12] + "..." if kind == "recipient" else "the secret key"
    return InvalidKeyError(
        f"The {kind} key ({shown}) is not a valid age X25519 {kind}: it may be mistyped or "
        "truncated. Copy it again from the key file or the key holder's record."
    )


def parse_recipient(text: str) -> bytes:
    """Return the 32-byte X25519 public key of an ``age1...`` recipient string."""
    try:
        hrp, key = bech32.decode(text.strip())
    except bech32.Bech32Error:
        raise _key_error("recipient", text) from None
    if hrp != RECIPIENT_PREFIX or len(key) != 32:
        raise _key_error("recipient", text)
    return key


@dataclass(frozen=True)
class Identity:
    """An age X25519 identity (secret key). Its repr never shows the secret."""

    secret_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret_key) != 32:
            raise InvalidKeyError("An age X25519 secret key must be exactly 32 bytes.")

    @classmethod
    def generate(cls) -> Identity:
        """Make a fresh random identity."""
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> Identity:
        """Parse an ``AGE-SECRET-KEY-1...`` string."""
        try:
            hrp, key = bech32.decode(text.strip())
        except bech32.Bech32Error:
            raise _key_error("identity", text) from None
        if hrp != IDENTITY_PREFIX.lower() or len(key) != 32:
            raise _key_error("identity", text)
        return cls(key)

    def export(self) -> str:
        """The secret key as ``AGE-SECRET-KEY-1...`` text (for key files; never log it)."""
        return bech32.encode(IDENTITY_PREFIX, self.secret_key).upper()

    @cached_property
    def _private(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.secret_key)

    @cached_property
    def public_key(self) -> bytes:
        """The raw 32-byte X25519 public key."""
        return self._private.public_key().public_bytes_raw()

    @property
    def recipient(self) -> str:
        """The matching public ``age1...`` recipient string."""
        return bech32.encode(RECIPIENT_PREFIX, self.public_key)

    def unwrap(self, share: bytes, body: bytes) -> bytes | None:
        """Return the file key from an X25519 stanza, or None if it was not made for us."""
        try:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(share))
        except ValueError:  # a low-order point: only a forged header has one
            return None
        wrap_key = _hkdf(shared, share + self.public_key, _X25519_LABEL)
        try:
            return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
        except InvalidTag:
            return None


def recipient_fingerprint(recipient: str) -> str:
    """A short, stable fingerprint of a recipient (first 16 hex digits of SHA-256 of the key)."""
    return sha256(parse_recipient(recipient)).hexdigest()[:16]


# --- header ---------------------------------------------------------------------------------


def _wrap_file_key(file_key: bytes, recipient_key: bytes) -> tuple[list[bytes], bytes]:
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    try:
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_key))
    except ValueError:
        raise InvalidKeyError(
            "A recipient key is a degenerate X25519 point and cannot be encrypted to. "
            "Ask the key holder for a freshly generated key."
        ) from None
    wrap_key = _hkdf(shared, share + recipient_key, _X25519_LABEL)
    body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
    return [b"X25519", _b64encode(share)], body


def _header_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
    return hmac.digest(_hkdf(file_key, b"", b"header"), header_without_mac, "sha256")


def _encode_header(file_key: bytes, recipient_keys: Sequence[bytes]) -> bytes:
    lines = [VERSION_LINE]
    for recipient_key in recipient_keys:
        args, body = _wrap_file_key(file_key, recipient_key)
        lines.append(b"-> " + b" ".join(args))
        text = _b64encode(body)
        lines.extend(text[i : i + 64] for i in range(0, len(text), 64))
        if len(text) % 64 == 0:
            lines.append(b"")  # a body always ends with a line shorter than 64 columns
    header = b"\n".join(lines) + b"\n---"
    return header + b" " + _b64encode(_header_mac(file_key, header)) + b"\n"


@dataclass(frozen=True)
class _Header:
    stanzas: tuple[tuple[tuple[bytes, ...], bytes], ...]
    mac: bytes
    mac_input: bytes
    size: int


def _read_line(src: BinaryIO, name: str, raw: bytearray) -> bytes:
    line = src.readline(_MAX_LINE)
    raw += line
    if not line.endswith(b"\n"):
        if len(line) < _MAX_LINE:
            raise TruncatedFileError(
                f"{name} ends inside its header: the file is incomplete. Copy it again from "
                "another disc or the original source."
            )
        raise AlteredFileError(f"{name} has a damaged header (an over-long line).")
    if len(raw) > _MAX_HEADER:
        raise AlteredFileError(f"{name} has a damaged header (far too long).")
    return line[:-1]


def _read_header(src: BinaryIO, name: str) -> _Header:
    raw = bytearray()
    first = src.readline(len(VERSION_LINE) + 1)
    raw += first
    if first != VERSION_LINE + b"\n":
        if first.startswith(b"-----BEGIN AGE"):
            what = "is an ASCII-armored age file, which this application does not read"
        elif first and (VERSION_LINE + b"\n").startswith(first):
            raise TruncatedFileError(f"{name} ends inside its header: the file is incomplete.")
        else:
            what = "is not an age-encrypted file"
        raise NotAgeFileError(f"{name} {what}. Check that you chose the encrypted (.age) file.")
    stanzas: list[tuple[tuple[bytes, ...], bytes]] = []
    damaged = AlteredFileError(f"{name} has a damaged header. Use another copy of the file.")
    while True:
        line = _read_line(src, name, raw)
        if line.startswith(b"--- "):
            mac_input = bytes(raw[: -len(line) - 1]) + b"---"
            try:
                mac = _b64decode(line[4:])
            except ValueError:
                raise damaged from None
            if len(mac) != 32 or not stanzas:
                raise damaged
            return _Header(tuple(stanzas), mac, mac_input, len(raw))
        args = tuple(line[3:].split(b" "))
        if not line.startswith(b"-> ") or not all(args):
            raise damaged
        body_lines = [_read_line(src, name, raw)]
        while len(body_lines[-1]) == 64:
            body_lines.append(_read_line(src, name, raw))
        if len(body_lines[-1]) > 64:
            raise damaged
        try:
            stanzas.append((args, _b64decode(b"".join(body_lines))))
        except ValueError:
            raise damaged from None


def _unwrap_file_key(header: _Header, identities: Sequence[Identity], name: str) -> bytes:
    damaged = AlteredFileError(f"{name} has a damaged recipient entry. Use another copy.")
    for args, body in header.stanzas:
        if args[0] != b"X25519":
            continue  # other recipient types (and random "grease" stanzas) are not ours
        try:
            share = _b64decode(args[1]) if len(args) == 2 else b""
        except ValueError:
            raise damaged from None
        if len(share) != 32 or len(body) != 32:
            raise damaged
        for identity in identities:
            file_key = identity.unwrap(share, body)
            if file_key is not None:
                if not hmac.compare_digest(_header_mac(file_key, header.mac_input), header.mac):
                    raise AlteredFileError(
                        f"{name} failed its header check (MAC): the file was altered. "
                        "Do not use it; use another copy and report the discrepancy."
                    )
                return file_key
    raise NoMatchingIdentityError(
        f"None of the {len(identities)} key(s) given can open {name}. It was encrypted for other "
        "keys, or its header is damaged. Choose the key file of one of the recipients listed in "
        "the archive's bag-info.txt (Encrypted-To); if the right key fails, use another copy."
    )


# --- payload --------------------------------------------------------------------------------


def _fill(read: Callable[[int], bytes], data: bytes, size: int) -> bytes:
    """Top up a short read (pipes may return less than asked before the end)."""
    while 0 < len(data) < size:
        more = read(size - len(data))
        if not more:
            break
        data += more
    return data


def _pipeline(
    src: BinaryIO,
    dst: BinaryIO,
    chunk_size: int,
    work: Callable[[memoryview, int, bool], list[bytes]],
    progress: Progress | None,
    done: int,
    total: int,
) -> int:
    """Read whole chunks in blocks, transform blocks on worker threads, write them in order.

    ``work(block, first_chunk_counter, is_final_block)`` returns the output chunks of a block.
    cryptography releases the GIL while sealing, so two workers keep the cipher running beside
    the file I/O of this thread; the window of blocks in flight bounds memory to a few MiB.
    Returns ``done`` plus the bytes read.
    """
    block_size = chunk_size * _BLOCK_CHUNKS
    read, write = src.read, dst.write
    pending: deque[tuple[Future[list[bytes]], int]] = deque()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="age") as pool:
        try:
            block = _fill(read, read(block_size), block_size)
            counter = 0
            while True:
                following = _fill(read, read(block_size), block_size)
                last = not following
                pending.append((pool.submit(work, memoryview(block), counter, last), len(block)))
                counter += _BLOCK_CHUNKS
                while pending and (last or len(pending) > _WINDOW):
                    future, size = pending.popleft()
                    for out in future.result():
                        write(out)
                    done += size
                    if progress is not None:
                        progress(done, max(total, done))
                if last:
                    return done
                block = following
        finally:
            for future, _ in pending:
                future.cancel()


def _seal_block(aead: ChaCha20Poly1305, block: memoryview, counter: int, last: bool) -> list[bytes]:
    # Kept lean on purpose: this loop runs once per 64 KiB of a multi-gigabyte recording.
    seal = aead.encrypt
    starts = range(0, len(block), CHUNK_SIZE) or range(1)  # an empty file is one empty chunk
    final = starts[-1] if last else -1
    out = []
    for start in starts:
        nonce = counter.to_bytes(11, "big") + (_LAST if start == final else _MORE)
        out.append(seal(nonce, block[start : start + CHUNK_SIZE], None))
        counter += 1
    return out


def _chunk_failure(
    aead: ChaCha20Poly1305, nonce: bytes, chunk: memoryview, last: bool, name: str
) -> DamagedFileError:
    """Say why a chunk failed: a whole chunk not marked final means the rest was cut off."""
    try:
        aead.decrypt(nonce + (_MORE if last else _LAST), chunk, None)
    except InvalidTag:
        return AlteredFileError(
            f"{name} failed its integrity check (it was altered or cut short). Do not use it; "
            "use another copy and report the discrepancy."
        )
    if last:
        return TruncatedFileError(
            f"{name} ends early: its final part is missing. Copy it again from another disc."
        )
    return AlteredFileError(f"{name} has extra data after its end: the file was altered.")


def _open_block(
    aead: ChaCha20Poly1305, name: str, block: memoryview, counter: int, last: bool
) -> list[bytes]:
    size = CHUNK_SIZE + TAG_SIZE
    unseal = aead.decrypt
    starts = range(0, len(block), size)
    if not starts:
        raise TruncatedFileError(f"{name} ends right after its header: the contents are missing.")
    final = starts[-1] if last else -1
    out = []
    for start in starts:
        chunk = block[start : start + size]
        if len(chunk) <= TAG_SIZE and (counter or len(chunk) < TAG_SIZE):
            # Only the first chunk may be empty; anything shorter than a tag is a cut.
            raise TruncatedFileError(f"{name} ends early: its final part is missing.")
        nonce = counter.to_bytes(11, "big")
        try:
            out.append(unseal(nonce + (_LAST if start == final else _MORE), chunk, None))
        except InvalidTag:
            raise _chunk_failure(aead, nonce, chunk, start == final, name) from None
        counter += 1
    return out


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    recipients: Sequence[str],
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """Encrypt buffered binary stream ``src`` into ``dst`` for every recipient; return bytes read.

    ``total`` is only passed back to ``progress`` (the expected plaintext size, if known).
    """
    recipient_keys = [parse_recipient(r) for r in recipients]
    if not recipient_keys:
        raise InvalidKeyError("No recipient key was given, so nobody could ever decrypt the file.")
    file_key = os.urandom(_FILE_KEY_SIZE)
    nonce = os.urandom(16)
    dst.write(_encode_header(file_key, recipient_keys))
    dst.write(nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    return _pipeline(src, dst, CHUNK_SIZE, partial(_seal_block, aead), progress, 0, total)


def decrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    identities: Sequence[Identity],
    progress: Progress | None = None,
    total: int = 0,
    name: str = "The file",
) -> None:
    """Decrypt ``src`` into ``dst`` with the first identity that opens it.

    Each chunk is authenticated before it is written, but a later chunk may still fail: the
    caller must discard ``dst`` on error (:func:`decrypt_file` does). ``progress`` counts bytes
    read from ``src``; ``name`` is how error messages refer to the file.
    """
    header = _read_header(src, name)
    file_key = _unwrap_file_key(header, identities, name)
    nonce = src.read(16)
    if len(nonce) < 16:
        raise TruncatedFileError(f"{name} ends right after its header: the contents are missing.")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    work = partial(_open_block, aead, name)
    _pipeline(src, dst, CHUNK_SIZE + TAG_SIZE, work, progress, header.size + 16, total)


@contextmanager
def _atomic_output(dst: Path, mode: int) -> Iterator[BinaryIO]:
    """Write to a hidden temporary file beside ``dst``; rename over ``dst`` only on success."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".partial", dir=dst.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
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
    with open(src, "rb") as fin, _atomic_output(dst, 0o644) as fout:
        return encrypt_stream(fin, fout, recipients, progress, os.fstat(fin.fileno()).st_size)


def decrypt_file(
    src: Path, dst: Path, identities: Sequence[Identity], progress: Progress | None = None
) -> None:
    """Decrypt age file ``src`` to ``dst`` (mode 0600); on any error ``dst`` is not created."""
    src, dst = Path(src), Path(dst)
    with open(src, "rb") as fin, _atomic_output(dst, 0o600) as fout:
        total = os.fstat(fin.fileno()).st_size
        decrypt_stream(fin, fout, identities, progress, total, name=f"'{src.name}'")


# --- key files ------------------------------------------------------------------------------


def load_identities(path: Path) -> list[Identity]:
    """Read an age-keygen key file: ``#`` comment lines, blank lines and secret-key lines."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise IdentityFileError(
            f"The key file {path} does not exist. Insert the key medium or choose the key file."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IdentityFileError(f"The key file {path} cannot be read ({exc}).") from None
    identities = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(Identity.parse(line))
        except InvalidKeyError:
            raise IdentityFileError(
                f"Line {number} of the key file {path} is not an age secret key. Check that this "
                "is the right key file and that it was not edited."
            ) from None
    if not identities:
        raise IdentityFileError(f"The key file {path} contains no age secret key.")
    return identities


def write_identity_file(path: Path, identity: Identity, created: datetime | None = None) -> None:
    """Write ``identity`` in age-keygen's format, readable by the owner only (mode 0600).

    Refuses to overwrite: replacing a key file would lock away every archive made for it.
    """
    path = Path(path)
    created = created or datetime.now().astimezone()
    text = (
        f"# created: {created.isoformat(timespec='seconds')}\n"
        f"# public key: {identity.recipient}\n"
        f"{identity.export()}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IdentityFileError(
            f"A key file already exists at {path}; it was not overwritten. Choose another path."
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def load_or_create_identity(path: Path) -> Identity:
    """Return the first identity in key file ``path``; create the file with a new key if absent."""
    path = Path(path)
    if path.exists():
        return load_identities(path)[0]
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    identity = Identity.generate()
    write_identity_file(path, identity)
    return identity
