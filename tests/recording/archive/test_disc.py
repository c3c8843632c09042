"""Disc images with xorriso: contents, labels, checksums, damaged images, the 4 GiB limit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from recording.archive import disc

FILES = {
    "bagit.txt": b"BagIt-Version: 1.0\n",
    "data/recording/composite.mkv.age": os.urandom(1_500_000),
    "data/documents/认罪认罚具结书.pdf.age": os.urandom(20_000),
    "data/a file with spaces and 'quotes'.age": b"x",
}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A folder shaped like a bag, with nested, Chinese and awkward names."""
    root = tmp_path / "source"
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


@pytest.fixture
def image(tmp_path: Path, source: Path) -> Path:
    """An image built from ``source``."""
    return disc.build_disc_image(source, tmp_path / "case.iso", "京检刑诉 2024-0001 session 7")


def _volume_id(image: Path) -> str:
    with open(image, "rb") as fin:
        fin.seek(16 * 2048 + 40)  # volume identifier field of the primary volume descriptor
        return fin.read(32).decode("ascii").rstrip()


def test_image_lists_extracts_and_verifies(tmp_path: Path, image: Path) -> None:
    assert disc.list_disc_image(image) == sorted(FILES)
    disc.verify_disc_image(image)
    out = disc.extract_disc_image(image, tmp_path / "extracted")
    for name, content in FILES.items():
        assert (out / name).read_bytes() == content
    assert _volume_id(image) == "2024_0001_SESSION_7"


def test_files_on_the_disc_are_readable_by_everyone_and_read_only(image: Path) -> None:
    listing = subprocess.run(
        ["xorriso", "-indev", f"stdio:{image}", "-lsl", "/data/recording/composite.mkv.age"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listing.startswith("-r--r--r--")


def test_progress_ends_at_the_total(tmp_path: Path, source: Path) -> None:
    seen: list[tuple[int, int]] = []
    disc.build_disc_image(source, tmp_path / "p.iso", "P", lambda d, t: seen.append((d, t)))
    total = sum(len(c) for c in FILES.values())
    assert seen and seen[-1] == (total, total)


def test_altered_byte_in_image_is_named(tmp_path: Path, image: Path) -> None:
    raw = bytearray(image.read_bytes())
    at = raw.index(FILES["data/recording/composite.mkv.age"][:4096]) + 777
    raw[at] ^= 0x01
    image.write_bytes(raw)
    with pytest.raises(disc.DiscVerificationError) as caught:
        disc.verify_disc_image(image)
    assert caught.value.bad_files == ("data/recording/composite.mkv.age",)
    assert "composite.mkv.age" in str(caught.value)


@pytest.mark.parametrize("content", [b"", os.urandom(200_000)], ids=["empty", "random"])
def test_garbage_image_is_refused_clearly(tmp_path: Path, content: bytes) -> None:
    garbage = tmp_path / "garbage.iso"
    garbage.write_bytes(content)
    for action in (disc.list_disc_image, disc.verify_disc_image):
        with pytest.raises(disc.DiscImageError, match="not an ISO 9660 disc image"):
            action(garbage)
    with pytest.raises(disc.DiscImageError, match="does not exist"):
        disc.verify_disc_image(tmp_path / "missing.iso")


def test_image_without_checksums_cannot_pass_verification(tmp_path: Path, source: Path) -> None:
    plain = tmp_path / "plain.iso"
    subprocess.run(
        ["xorriso", "-outdev", f"stdio:{plain}", "-map", str(source), "/", "-commit"],
        check=True,
        capture_output=True,
    )
    with pytest.raises(disc.DiscVerificationError, match="no checksums"):
        disc.verify_disc_image(plain)


def test_file_of_4_gib_is_refused_before_writing(tmp_path: Path, source: Path) -> None:
    big = source / "data" / "recording" / "too-big.mkv.age"
    with open(big, "wb") as out:
        out.truncate(4 * 1024**3)  # sparse: no 4 GiB actually written
    with pytest.raises(disc.DiscFileTooLargeError, match=r"too-big\.mkv\.age is 4\.00 GiB"):
        disc.build_disc_image(source, tmp_path / "big.iso", "BIG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source"]


def test_links_and_existing_images_are_refused(tmp_path: Path, source: Path, image: Path) -> None:
    with pytest.raises(disc.DiscError, match="already exists"):
        disc.build_disc_image(source, image, "AGAIN")
    (source / "link.age").symlink_to(source / "bagit.txt")
    with pytest.raises(disc.DiscError, match="link or special file"):
        disc.build_disc_image(source, tmp_path / "other.iso", "LINK")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("case-2024/0001", "CASE_2024_0001"),
        ("京海检刑诉〔2024〕123号", "2024_123"),
        ("x" * 40, "X" * 32),
    ],
)
def test_volume_ids_follow_iso_rules(label: str, expected: str) -> None:
    assert disc.sanitize_volume_id(label) == expected


def test_volume_id_without_usable_characters_is_refused() -> None:
    with pytest.raises(disc.DiscError, match="no letters or digits"):
        disc.sanitize_volume_id("京海检")


def test_a_stuck_xorriso_is_stopped_and_leaves_no_image(tmp_path: Path, source: Path) -> None:
    with pytest.raises(disc.DiscToolError, match="did not finish"):
        disc.build_disc_image(source, tmp_path / "slow.iso", "SLOW", timeout=0.001)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source"]
