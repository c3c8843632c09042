"""The age v1 text header: one stanza per recipient, closed by an HMAC over the whole header.

    age-encryption.org/v1
    -> X25519 <ephemeral share, base64>      one stanza per recipient; each wraps the
    <wrapped file key, base64>               same random 16-byte file key
    --- <HMAC-SHA-256 of the header, base64>

Parsing is strict (canonical unpadded base64, 64-column body lines, bounded line and header
sizes) so that a damaged or forged header is refused before any key is tried. Stanzas of other
types (scrypt, ssh, plugins, random "grease") are skipped, as the spec asks.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
from collections.abc import Sequence
from dataclasses import dataclass

from recording.archive.age_keys import Identity, hkdf, wrap_file_key
from recording.archive.errors import (
    AlteredFileError,
    NoMatchingIdentityError,
    NotAgeFileError,
    TruncatedFileError,
)

VERSION_LINE = b"age-encryption.org/v1"
_MAX_LINE = 4096  # a header line is far shorter; a longer one is not an age header
_MAX_HEADER = 1024 * 1024  # thousands of recipients; stops a garbage file eating memory


def b64encode(data: bytes) -> bytes:
    """Unpadded standard base64, as age writes it."""
    return base64.b64encode(data).rstrip(b"=")


def b64decode(text: bytes) -> bytes:
    """Strict unpadded base64: anything non-canonical raises ValueError."""
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("bad base64") from None
    if b"=" in text or b64encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


def _header_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
    return hmac.digest(hkdf(file_key, b"", b"header"), header_without_mac, "sha256")


def encode_header(file_key: bytes, recipient_keys: Sequence[bytes]) -> bytes:
    """The complete header (ending in a newline) wrapping ``file_key`` for every recipient."""
    lines = [VERSION_LINE]
    for recipient_key in recipient_keys:
        share, body = wrap_file_key(file_key, recipient_key)
        lines.append(b"-> X25519 " + b64encode(share))
        text = b64encode(body)
        lines.extend(text[i : i + 64] for i in range(0, len(text), 64))
        if len(text) % 64 == 0:
            lines.append(b"")  # a body always ends with a line shorter than 64 columns
    header = b"\n".join(lines) + b"\n---"
    return header + b" " + b64encode(_header_mac(file_key, header)) + b"\n"


@dataclass(frozen=True)
class Header:
    """A parsed header: its stanzas (arguments, body), MAC, the bytes the MAC covers, size."""

    stanzas: tuple[tuple[tuple[bytes, ...], bytes], ...]
    mac: bytes
    mac_input: bytes
    size: int


def _read_line(src: io.BufferedIOBase, name: str, raw: bytearray) -> bytes:
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


def _check_version(src: io.BufferedIOBase, name: str, raw: bytearray) -> None:
    first = src.readline(len(VERSION_LINE) + 1)
    raw += first
    if first == VERSION_LINE + b"\n":
        return
    if first.startswith(b"-----BEGIN AGE"):
        what = "is an ASCII-armored age file, which this application does not read"
    elif first and (VERSION_LINE + b"\n").startswith(first):
        raise TruncatedFileError(f"{name} ends inside its header: the file is incomplete.")
    else:
        what = "is not an age-encrypted file"
    raise NotAgeFileError(f"{name} {what}. Check that you chose the encrypted (.age) file.")


def read_header(src: io.BufferedIOBase, name: str) -> Header:
    """Read the header from ``src``, leaving it at the payload nonce; ``name`` is for errors."""
    raw = bytearray()
    _check_version(src, name, raw)
    stanzas: list[tuple[tuple[bytes, ...], bytes]] = []
    damaged = AlteredFileError(f"{name} has a damaged header. Use another copy of the file.")
    while True:
        line = _read_line(src, name, raw)
        if line.startswith(b"--- "):
            mac_input = bytes(raw[: -len(line) - 1]) + b"---"
            try:
                mac = b64decode(line[4:])
            except ValueError:
                raise damaged from None
            if len(mac) != 32 or not stanzas:
                raise damaged
            return Header(tuple(stanzas), mac, mac_input, len(raw))
        args = tuple(line[3:].split(b" "))
        if not line.startswith(b"-> ") or not all(args):
            raise damaged
        body_lines = [_read_line(src, name, raw)]
        while len(body_lines[-1]) == 64:
            body_lines.append(_read_line(src, name, raw))
        if len(body_lines[-1]) > 64:
            raise damaged
        try:
            stanzas.append((args, b64decode(b"".join(body_lines))))
        except ValueError:
            raise damaged from None


def unwrap_file_key(header: Header, identities: Sequence[Identity], name: str) -> bytes:
    """Return the file key for the first identity that opens a stanza, after checking the MAC."""
    damaged = AlteredFileError(f"{name} has a damaged recipient entry. Use another copy.")
    for args, body in header.stanzas:
        if args[0] != b"X25519":
            continue  # other recipient types (and random "grease" stanzas) are not ours
        try:
            share = b64decode(args[1]) if len(args) == 2 else b""
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
