"""age encryption: interoperability with the age CLI both ways, keys, and damaged files."""

from __future__ import annotations

import io
import os
import random
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from recording.archive import age
from recording.archive.age_stream import BLOCK_CHUNKS, FILE_BLOCK_CHUNKS, PIECE_CHUNKS

BLOCK = age.CHUNK_SIZE * BLOCK_CHUNKS  # one worker's unit: edge cases sit at its borders
FILE_BLOCK = age.CHUNK_SIZE * FILE_BLOCK_CHUNKS  # the same between two regular files
PIECE = age.CHUNK_SIZE * PIECE_CHUNKS  # what a worker reads and writes at once between files
SIZES = [0, 1, age.CHUNK_SIZE, age.CHUNK_SIZE + 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7]
# Around piece and block borders between files, and a last block holding part of a piece.
PIECE_SIZES = [
    PIECE - 1,
    PIECE,
    PIECE + 1,
    FILE_BLOCK - 1,
    FILE_BLOCK,
    2 * FILE_BLOCK + PIECE + age.CHUNK_SIZE + 5,
]


def _data(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.fixture
def cli_key(tmp_path: Path) -> Path:
    """An identity file made by the age CLI's own key generator."""
    path = tmp_path / "cli-key.txt"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    return path


@pytest.fixture
def our_key(tmp_path: Path) -> Path:
    """An identity file written by us."""
    path = tmp_path / "our-key.txt"
    age.write_identity_file(path, age.Identity.generate())
    return path


def _recipient_of(key_file: Path) -> str:
    out = subprocess.run(["age-keygen", "-y", str(key_file)], check=True, capture_output=True)
    return out.stdout.decode().strip()


def _encrypted(tmp_path: Path, data: bytes, recipients: list[str]) -> Path:
    plain, sealed = tmp_path / "plain.bin", tmp_path / "sealed.age"
    plain.write_bytes(data)
    age.encrypt_file(plain, sealed, recipients)
    return sealed


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


@pytest.mark.parametrize("size", SIZES + PIECE_SIZES[:2])
def test_age_cli_decrypts_our_files_for_each_recipient(
    tmp_path: Path, cli_key: Path, our_key: Path, size: int
) -> None:
    data = _data(size)
    recipients = [_recipient_of(cli_key), age.load_identities(our_key)[0].recipient]
    sealed = _encrypted(tmp_path, data, recipients)
    for key in (cli_key, our_key):
        out = subprocess.run(["age", "-d", "-i", str(key), str(sealed)], capture_output=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout == data


@pytest.mark.parametrize("size", SIZES)
def test_we_decrypt_files_made_by_age_cli(tmp_path: Path, cli_key: Path, size: int) -> None:
    data = _data(size)
    other = age.Identity.generate()
    (tmp_path / "plain.bin").write_bytes(data)
    sealed = tmp_path / "cli.age"
    recipients = ["-r", other.recipient, "-r", _recipient_of(cli_key)]
    plain = str(tmp_path / "plain.bin")
    subprocess.run(["age", "-e", *recipients, "-o", str(sealed), plain], check=True)
    out = tmp_path / "out.bin"
    age.decrypt_file(sealed, out, age.load_identities(cli_key))
    assert out.read_bytes() == data
    age.decrypt_file(sealed, out, [other])
    assert out.read_bytes() == data


def test_recipient_derivation_matches_age_keygen(cli_key: Path) -> None:
    identity = age.load_identities(cli_key)[0]
    assert identity.recipient == _recipient_of(cli_key)
    assert f"# public key: {identity.recipient}" in cli_key.read_text()


def test_identity_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "clerk.txt"
    first = age.load_or_create_identity(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert age.load_or_create_identity(path) == first
    assert _recipient_of(path) == first.recipient
    with pytest.raises(age.IdentityFileError, match="not overwritten"):
        age.write_identity_file(path, age.Identity.generate())
    assert age.load_identities(path) == [first]


def test_secret_key_never_appears_in_repr_or_errors(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    secret = identity.export()
    assert secret not in repr(identity)
    mistyped = secret[:-1] + ("Q" if secret[-1] != "Q" else "P")
    with pytest.raises(age.InvalidKeyError) as caught:
        age.Identity.parse(mistyped)
    assert secret[20:40] not in str(caught.value)
    bad_file = tmp_path / "bad.txt"
    bad_file.write_text(f"# a comment\n{mistyped}\n")
    with pytest.raises(age.IdentityFileError, match="Line 2") as in_file:
        age.load_identities(bad_file)
    assert secret[20:40] not in str(in_file.value)


def test_malformed_recipient_is_refused_before_any_file_is_written(tmp_path: Path) -> None:
    (tmp_path / "plain.bin").write_bytes(b"evidence")
    recipient = age.Identity.generate().recipient
    with pytest.raises(age.InvalidKeyError, match="recipient"):
        age.encrypt_file(tmp_path / "plain.bin", tmp_path / "x.age", [recipient[:-2] + "qq"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.bin"]


def test_progress_reports_every_few_chunks_up_to_the_total(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    size = 2 * FILE_BLOCK + 7
    (tmp_path / "plain.bin").write_bytes(_data(size))
    seen: list[tuple[int, int]] = []

    def record(done: int, total: int) -> None:
        seen.append((done, total))

    age.encrypt_file(tmp_path / "plain.bin", tmp_path / "s.age", [identity.recipient], record)
    assert len(seen) >= 3
    assert seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    age.decrypt_file(tmp_path / "s.age", tmp_path / "out.bin", [identity], record)
    size = (tmp_path / "s.age").stat().st_size
    assert seen[-1] == (size, size)


def _assert_fails_cleanly(sealed: Path, identities: list[age.Identity], error: type) -> str:
    """Decrypting must raise ``error`` and leave no output, partial or otherwise."""
    target = sealed.parent / "decrypted.mkv"
    with pytest.raises(error) as caught:
        age.decrypt_file(sealed, target, identities)
    assert not target.exists()
    assert _leftovers(sealed.parent) == []
    return str(caught.value)


def test_wrong_key_is_reported_and_leaves_no_output(tmp_path: Path) -> None:
    sealed = _encrypted(tmp_path, _data(100_000), [age.Identity.generate().recipient])
    message = _assert_fails_cleanly(sealed, [age.Identity.generate()], age.NoMatchingIdentityError)
    assert "sealed.age" in message


def test_flipped_payload_byte_is_detected_as_altered(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(300_000), [identity.recipient])
    raw = bytearray(sealed.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    sealed.write_bytes(raw)
    _assert_fails_cleanly(sealed, [identity], age.AlteredFileError)


def test_flipped_header_mac_is_detected_as_altered(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(1000), [identity.recipient])
    raw = sealed.read_bytes()
    mac_at = raw.index(b"\n--- ") + 5
    swapped = b"A" if raw[mac_at : mac_at + 1] != b"A" else b"B"
    sealed.write_bytes(raw[:mac_at] + swapped + raw[mac_at + 1 :])
    assert "header" in _assert_fails_cleanly(sealed, [identity], age.AlteredFileError)


def test_file_cut_at_a_chunk_boundary_is_reported_truncated(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(3 * age.CHUNK_SIZE + 5), [identity.recipient])
    os.truncate(sealed, sealed.stat().st_size - (5 + age.TAG_SIZE))  # drop the final chunk
    _assert_fails_cleanly(sealed, [identity], age.TruncatedFileError)


def test_file_cut_inside_the_header_is_reported_truncated(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(10), [identity.recipient])
    os.truncate(sealed, 40)
    _assert_fails_cleanly(sealed, [identity], age.TruncatedFileError)


def test_file_cut_mid_chunk_is_reported_damaged(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(200_000), [identity.recipient])
    os.truncate(sealed, sealed.stat().st_size // 2)
    message = _assert_fails_cleanly(sealed, [identity], age.DamagedFileError)
    assert "cut short" in message


def test_data_appended_after_the_end_is_detected(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(age.CHUNK_SIZE), [identity.recipient])
    with open(sealed, "ab") as out:
        out.write(_data(age.CHUNK_SIZE + age.TAG_SIZE))
    _assert_fails_cleanly(sealed, [identity], age.AlteredFileError)


def test_failed_decryption_keeps_an_existing_file_of_that_name(tmp_path: Path) -> None:
    sealed = _encrypted(tmp_path, _data(5000), [age.Identity.generate().recipient])
    target = tmp_path / "decrypted.mkv"
    target.write_bytes(b"earlier good copy")
    with pytest.raises(age.NoMatchingIdentityError):
        age.decrypt_file(sealed, target, [age.Identity.generate()])
    assert target.read_bytes() == b"earlier good copy"


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.7\n" + bytes(100), b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"],
    ids=["empty", "pdf", "armored"],
)
def test_a_file_that_is_not_age_is_named_as_such(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "agreement.pdf"
    bogus.write_bytes(content)
    _assert_fails_cleanly(bogus, [age.Identity.generate()], age.NotAgeFileError)


def test_stream_from_a_pipe_with_short_reads_stays_valid(tmp_path: Path, cli_key: Path) -> None:
    data = _data(3 * age.CHUNK_SIZE + 123)
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb", buffering=0) as pipe:
            for start in range(0, len(data), 1000):  # small writes -> short reads downstream
                pipe.write(data[start : start + 1000])

    feeder = threading.Thread(target=feed)
    feeder.start()
    sealed = tmp_path / "piped.age"
    with os.fdopen(read_end, "rb", buffering=0) as pipe, open(sealed, "wb") as out:
        assert age.encrypt_stream(pipe, out, [_recipient_of(cli_key)]) == len(data)
    feeder.join()
    opened = subprocess.run(["age", "-d", "-i", str(cli_key), str(sealed)], capture_output=True)
    assert opened.stdout == data


def test_file_cut_exactly_at_a_block_border_is_reported_truncated(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(2 * BLOCK + 5), [identity.recipient])
    os.truncate(sealed, sealed.stat().st_size - (5 + age.TAG_SIZE))  # ends on a block border
    _assert_fails_cleanly(sealed, [identity], age.TruncatedFileError)


def test_the_right_key_among_wrong_ones_opens_the_file(tmp_path: Path) -> None:
    right = age.Identity.generate()
    data = _data(BLOCK + 3)
    sealed = _encrypted(tmp_path, data, [age.Identity.generate().recipient, right.recipient])
    out = tmp_path / "out.bin"
    age.decrypt_file(sealed, out, [age.Identity.generate(), right])
    assert out.read_bytes() == data


class _Stream:
    """A stream with no file behind it (like the hashing wrappers), so the in-order path runs."""

    def __init__(self, stream: io.BytesIO) -> None:
        self._stream = stream

    def readinto(self, buffer: memoryview) -> int:
        return self._stream.readinto(buffer)

    def write(self, data: memoryview) -> int:
        return self._stream.write(data)


@pytest.mark.parametrize("size", PIECE_SIZES)
def test_file_to_file_and_streamed_encryption_open_each_other_and_with_age_cli(
    tmp_path: Path, cli_key: Path, size: int
) -> None:
    data = _data(size)
    identities = age.load_identities(cli_key)
    sealed = _encrypted(tmp_path, data, [identities[0].recipient])  # file to file
    opened = io.BytesIO()
    with open(sealed, "rb") as src:
        age.decrypt_stream(src, _Stream(opened), identities)  # type: ignore[arg-type]
    assert opened.getvalue() == data
    streamed = io.BytesIO()
    age.encrypt_stream(_Stream(io.BytesIO(data)), _Stream(streamed), [identities[0].recipient])
    (tmp_path / "streamed.age").write_bytes(streamed.getvalue())
    age.decrypt_file(tmp_path / "streamed.age", tmp_path / "out.bin", identities)
    assert (tmp_path / "out.bin").read_bytes() == data
    cli = subprocess.run(["age", "-d", "-i", str(cli_key), str(sealed)], capture_output=True)
    assert cli.stdout == data


def test_streams_are_used_from_where_they_stand_and_left_after_the_data(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    data = _data(BLOCK + PIECE + 9)
    (tmp_path / "plain.bin").write_bytes(b"cover page" + data)
    sealed = tmp_path / "sealed.age"
    with open(tmp_path / "plain.bin", "rb") as src, open(sealed, "wb") as out:
        out.write(b"label\n")
        src.read(10)
        assert age.encrypt_stream(src, out, [identity.recipient]) == len(data)
        assert src.read() == b""
        out.write(b"trailer")
    raw = sealed.read_bytes()
    assert raw.startswith(b"label\n") and raw.endswith(b"trailer")
    (tmp_path / "cut.age").write_bytes(raw[6:-7])
    with open(tmp_path / "cut.age", "rb") as src, open(tmp_path / "out.bin", "wb") as out:
        out.write(b"opened: ")
        assert age.decrypt_stream(src, out, [identity]) == len(raw) - 13
        out.write(b".")
    assert (tmp_path / "out.bin").read_bytes() == b"opened: " + data + b"."


def test_encrypting_onto_the_end_of_a_file_opened_for_appending(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    data = _data(2 * PIECE + 1)
    sealed = tmp_path / "sealed.age"
    sealed.write_bytes(b"earlier")
    with open(sealed, "ab") as out:
        age.encrypt_stream(io.BytesIO(data), out, [identity.recipient])
    (tmp_path / "cut.age").write_bytes(sealed.read_bytes()[len(b"earlier") :])
    age.decrypt_file(tmp_path / "cut.age", tmp_path / "out.bin", [identity])
    assert (tmp_path / "out.bin").read_bytes() == data


def test_file_cut_at_a_piece_border_inside_a_block_is_reported_truncated(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(FILE_BLOCK + PIECE + 5), [identity.recipient])
    os.truncate(sealed, sealed.stat().st_size - (5 + age.TAG_SIZE))  # ends on a piece border
    _assert_fails_cleanly(sealed, [identity], age.TruncatedFileError)


def test_of_two_faults_the_one_nearer_the_start_is_reported(tmp_path: Path) -> None:
    identity = age.Identity.generate()
    sealed = _encrypted(tmp_path, _data(6 * FILE_BLOCK + 5), [identity.recipient])
    raw = bytearray(sealed.read_bytes())
    raw[len(raw) // 3] ^= 0x01  # altered in the third block; the final chunk cut off below
    sealed.write_bytes(raw[: -(5 + age.TAG_SIZE)])
    for _ in range(3):  # whichever worker finds its fault first
        _assert_fails_cleanly(sealed, [identity], age.AlteredFileError)


def test_output_sent_to_disk_while_being_written_stays_whole(
    tmp_path: Path, cli_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Write-out advised as soon as possible and right up to the growing end, where blocks are
    # still being written out of order: nothing may be lost or doubled.
    monkeypatch.setattr(age, "_WRITE_BEHIND_POLL", 0.0005)
    monkeypatch.setattr(age, "_WRITE_BEHIND_LAG", 0)
    data = _data(6 * FILE_BLOCK + 5)
    sealed = _encrypted(tmp_path, data, [_recipient_of(cli_key)])
    opened = subprocess.run(["age", "-d", "-i", str(cli_key), str(sealed)], capture_output=True)
    assert opened.stdout == data
    age.decrypt_file(sealed, tmp_path / "out.bin", age.load_identities(cli_key))
    assert (tmp_path / "out.bin").read_bytes() == data
