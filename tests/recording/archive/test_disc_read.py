"""Reading a disc back: exact names (Chinese, spaces, quotes), every byte, damage named."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from recording.archive import disc
from recording.archive.disc_read import read_back, read_disc_directory

FILES = {
    "S1/bagit.txt": b"BagIt-Version: 1.0\n",
    "S1/data/documents/认罪认罚具结书.pdf.age": os.urandom(70_000),
    "S1/data/a file with spaces and 'quotes'.age": os.urandom(5),
    "S1/data/empty.age": b"",
    "S1/data/recording/composite.mkv.age": os.urandom(2_100_000),
}


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """An image holding FILES."""
    root = tmp_path / "source"
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return disc.build_disc_image(root, tmp_path / "d.iso", "PD20261122_09")


def _expected() -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in FILES.items()}


def test_every_file_is_found_by_its_exact_name_and_read_back(image: Path) -> None:
    directory = read_disc_directory(f"stdio:{image}")
    assert directory.volume_id == "PD20261122_09"
    assert sorted(directory.files) == sorted(FILES)
    seen: list[tuple[int, int]] = []
    result = read_back(f"stdio:{image}", _expected(), lambda d, t: seen.append((d, t)))
    assert result.ok
    assert result.files_checked == len(FILES)
    assert result.bytes_read == sum(len(c) for c in FILES.values())
    assert seen[-1] == (result.bytes_read, result.bytes_read)


def test_missing_extra_and_altered_files_are_each_named(image: Path) -> None:
    expected = _expected()
    expected["S1/data/logs/audit.jsonl.age"] = "0" * 64
    del expected["S1/data/empty.age"]
    expected["S1/bagit.txt"] = "1" * 64
    problems = {p.path: p.problem for p in read_back(f"stdio:{image}", expected).problems}
    assert problems == {
        "S1/data/logs/audit.jsonl.age": "missing from the disc",
        "S1/data/empty.age": "not expected on the disc",
        "S1/bagit.txt": "altered: its SHA-256 differs",
    }


def test_a_disc_cut_short_is_reported_unreadable_not_passed(image: Path) -> None:
    directory = read_disc_directory(f"stdio:{image}")
    video = directory.files["S1/data/recording/composite.mkv.age"]
    os.truncate(image, video.extents[0][0] * 2048 + 1000)  # the disc ends inside the video
    problems = {p.path: p.problem for p in read_back(f"stdio:{image}", _expected()).problems}
    assert problems["S1/data/recording/composite.mkv.age"].startswith("unreadable")
