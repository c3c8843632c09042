"""age X25519 keys: recipients (``age1...``), identities (``AGE-SECRET-KEY-1...``), key files.

A recipient is the public half, written in Bech32 under the prefix ``age``; an identity is the
secret half under ``AGE-SECRET-KEY-`` (upper case). Key files use age-keygen's layout, so a key
made here opens files with ``age -d -i FILE`` and a key made by ``age-keygen`` works here.

The file key of an age file is wrapped once per recipient (an X25519 "stanza"): an ephemeral
key agreement with the recipient, HKDF-SHA-256 into a wrap key, ChaCha20-Poly1305 with a zero
nonce. :func:`wrap_file_key` and :meth:`Identity.unwrap` are the two halves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recording.archive import bech32
from recording.archive.errors import IdentityFileError, InvalidKeyError

RECIPIENT_PREFIX = "age"
IDENTITY_PREFIX = "AGE-SECRET-KEY-"
X25519_LABEL = b"age-encryption.org/v1/X25519"
_ZERO_NONCE = bytes(12)


def hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    """HKDF-SHA-256 with a 32-byte output, as age uses it everywhere."""
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(secret)


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


def recipient_fingerprint(recipient: str) -> str:
    """A short, stable fingerprint of a recipient (first 16 hex digits of SHA-256 of the key)."""
    return sha256(parse_recipient(recipient)).hexdigest()[:16]


def wrap_file_key(file_key: bytes, recipient_key: bytes) -> tuple[bytes, bytes]:
    """Wrap ``file_key`` for one recipient; return (ephemeral share, wrapped key body)."""
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    try:
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_key))
    except ValueError:
        raise InvalidKeyError(
            "A recipient key is a degenerate X25519 point and cannot be encrypted to. "
            "Ask the key holder for a freshly generated key."
        ) from None
    wrap_key = hkdf(shared, share + recipient_key, X25519_LABEL)
    return share, ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)


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
        wrap_key = hkdf(shared, share + self.public_key, X25519_LABEL)
        try:
            return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
        except InvalidTag:
            return None


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
