"""Sealing a session: ciphertext-only bag on an ISO image that the standard tools can check."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import bagit
import pytest

from recording.archive import age
from recording.archive.disc import list_disc_image
from recording.archive.seal import HASHES_NAME, SealError, seal_bag, seal_session

MARKER = b"PLAINTEXT-MARKER-7f3a9c"  # must never appear on the disc


@pytest.fixture
def evidence(tmp_path: Path) -> dict[str, Path]:
    """Plaintext session files, each carrying a marker that must not leak into the archive."""
    folder = tmp_path / "session"
    folder.mkdir()
    contents = {
        "recording/composite.mkv": MARKER + os.urandom(700_000) + MARKER,
        "documents/agreement.pdf": b"%PDF-1.7\n" + MARKER + " signed 认罪认罚具结书\n".encode(),
        "logs/audit.jsonl": b'{"event": "recording_started"}\n' + MARKER,
    }
    payload = {}
    for name, content in contents.items():
        path = folder / name.replace("/", "_")
        path.write_bytes(content)
        payload[name] = path
    return payload


@pytest.fixture
def keys(tmp_path: Path) -> list[Path]:
    """Two custodians' key files (archive office and prosecution office) made by age-keygen."""
    paths = [tmp_path / "archive-office.key", tmp_path / "prosecution.key"]
    for path in paths:
        subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    return paths


def _recipients(keys: list[Path]) -> list[str]:
    return [age.load_identities(k)[0].recipient for k in keys]


INFO = {"External-Identifier": "京海检刑诉〔2024〕123号", "Session-Id": "S-0001"}


def test_sealed_disc_holds_a_valid_ciphertext_bag_that_age_can_open(
    tmp_path: Path, evidence: dict[str, Path], keys: list[Path]
) -> None:
    originals = {name: path.read_bytes() for name, path in evidence.items()}
    stages: list[tuple[str, int, int]] = []
    sealed = seal_session(
        evidence,
        _recipients(keys),
        tmp_path / "work",
        INFO,
        "Case 2024-123",
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    assert sealed.disc_image == tmp_path / "work" / "CASE_2024_123.iso"
    assert sealed.bag_dir == tmp_path / "work" / "bag"

    # The originals are untouched and the recorded hashes are theirs.
    for name, path in evidence.items():
        assert path.read_bytes() == originals[name]
    by_name = {f.name: f for f in sealed.files}
    assert set(by_name) == set(evidence)
    for name, content in originals.items():
        assert by_name[name].plaintext_sha256 == hashlib.sha256(content).hexdigest()
        assert by_name[name].size == len(content)

    # The disc lists every bag file and, copied off with xorriso, the bag validates.
    bag_files = sorted(
        str(p.relative_to(sealed.bag_dir)) for p in sealed.bag_dir.rglob("*") if p.is_file()
    )
    assert list_disc_image(sealed.disc_image) == bag_files
    assert f"data/{HASHES_NAME}" in bag_files
    out = tmp_path / "from-disc"
    extract = ["-osirrox", "on", "-indev", f"stdio:{sealed.disc_image}", "-extract", "/", str(out)]
    subprocess.run(["xorriso", *extract], check=True, capture_output=True)
    bag = bagit.Bag(str(out))
    bag.validate()
    assert bag.info["External-Identifier"] == INFO["External-Identifier"]
    assert bag.info["Encrypted-To"] == _recipients(keys)

    # Nothing readable without a key: no plaintext in the bag or the image.
    for path in [sealed.disc_image, *out.rglob("*")]:
        if path.is_file():
            assert MARKER not in path.read_bytes(), path

    # Each custodian's key opens the files with the standard age tool, byte for byte.
    for key in keys:
        for name, content in originals.items():
            ciphertext = out / by_name[name].bag_path
            assert hashlib.sha256(ciphertext.read_bytes()).hexdigest() == (
                by_name[name].ciphertext_sha256
            )
            opened = subprocess.run(
                ["age", "-d", "-i", str(key), str(ciphertext)], check=True, capture_output=True
            )
            assert opened.stdout == content

    # The encrypted hash list matches the originals.
    listed = subprocess.run(
        ["age", "-d", "-i", str(keys[0]), str(out / "data" / HASHES_NAME)],
        check=True,
        capture_output=True,
    )
    hashes = {f["name"]: f["sha256"] for f in json.loads(listed.stdout)["files"]}
    assert hashes == {n: hashlib.sha256(c).hexdigest() for n, c in originals.items()}

    # Progress went through the three stages in order, each ending complete.
    order = [s for i, (s, _, _) in enumerate(stages) if i == 0 or stages[i - 1][0] != s]
    assert order == ["encrypt", "bag", "image"]
    for stage in order:
        done, total = [(d, t) for s, d, t in stages if s == stage][-1]
        assert done == total > 0


def test_sealing_twice_into_the_same_folder_is_refused(
    tmp_path: Path, evidence: dict[str, Path], keys: list[Path]
) -> None:
    first = seal_session(evidence, _recipients(keys), tmp_path / "work", INFO, "CASE1")
    before = first.disc_image.read_bytes()
    with pytest.raises(SealError, match="already be sealed"):
        seal_session(evidence, _recipients(keys), tmp_path / "work", INFO, "CASE1")
    assert first.disc_image.read_bytes() == before
    bagit.Bag(str(first.bag_dir)).validate()


def test_cancelled_sealing_leaves_no_half_archive(
    tmp_path: Path, evidence: dict[str, Path], keys: list[Path]
) -> None:
    class Cancelled(Exception):
        pass

    def cancel_at_image(stage: str, _done: int, _total: int) -> None:
        if stage == "image":
            raise Cancelled

    originals = {name: path.read_bytes() for name, path in evidence.items()}
    with pytest.raises(Cancelled):
        seal_session(evidence, _recipients(keys), tmp_path / "work", INFO, "C", cancel_at_image)
    assert list((tmp_path / "work").iterdir()) == []
    assert {name: path.read_bytes() for name, path in evidence.items()} == originals


def test_bad_recipient_or_missing_file_is_refused_before_any_work(
    tmp_path: Path, evidence: dict[str, Path], keys: list[Path]
) -> None:
    with pytest.raises(age.InvalidKeyError):
        seal_session(evidence, ["age1notakey"], tmp_path / "work", INFO, "C")
    missing = {**evidence, "recording/part2.mkv": tmp_path / "nope.mkv"}
    with pytest.raises(SealError, match="does not exist"):
        seal_session(missing, _recipients(keys), tmp_path / "work", INFO, "C")
    assert not (tmp_path / "work").exists()


def test_a_ciphertext_too_large_for_a_disc_file_is_stored_in_pieces_cat_can_join(
    tmp_path: Path, evidence: dict[str, Path], keys: list[Path]
) -> None:
    recording = evidence["recording/composite.mkv"].read_bytes()
    bag = seal_bag(
        evidence,
        _recipients(keys),
        tmp_path / "bag",
        INFO,
        max_file_size=300_000,
        piece_size=250_000,
    )
    sealed = next(f for f in bag.files if f.name == "recording/composite.mkv")
    assert sealed.pieces == tuple(f"data/recording/composite.mkv.age.{n:03d}" for n in (1, 2, 3))
    sizes = [(bag.bag_dir / p).stat().st_size for p in sealed.pieces]
    assert sizes[:2] == [250_000, 250_000] and sum(sizes) == sealed.ciphertext_size
    small = next(f for f in bag.files if f.name == "documents/agreement.pdf")
    assert small.pieces == ("data/documents/agreement.pdf.age",)
    bagit.Bag(str(bag.bag_dir)).validate()
    joined = b"".join((bag.bag_dir / p).read_bytes() for p in sealed.pieces)
    assert hashlib.sha256(joined).hexdigest() == sealed.ciphertext_sha256
    opened = subprocess.run(
        ["age", "-d", "-i", str(keys[1])], input=joined, check=True, capture_output=True
    )
    assert opened.stdout == recording
    listed = subprocess.run(
        ["age", "-d", "-i", str(keys[0]), str(bag.bag_dir / "data" / HASHES_NAME)],
        check=True,
        capture_output=True,
    )
    entry = next(f for f in json.loads(listed.stdout)["files"] if f["name"] == sealed.name)
    assert entry["encrypted"] == list(sealed.pieces)
    assert (
        bag.manifest_sha256
        == hashlib.sha256((bag.bag_dir / "manifest-sha256.txt").read_bytes()).hexdigest()
    )
