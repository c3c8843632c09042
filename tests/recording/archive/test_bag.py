"""BagIt bags: made here, validated by the Library of Congress bagit package, tampering named."""

from __future__ import annotations

import os
from pathlib import Path

import bagit
import pytest

from recording.archive.bag import BagError, BagInvalidError, make_bag, read_manifest, verify_bag


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """Payload names (with sub-folders and a Chinese name) mapped to real files."""
    folder = tmp_path / "sources"
    folder.mkdir()
    files = {
        "recording/composite.mkv.age": os.urandom(300_000),
        "documents/具结书.pdf.age": b"%PDF-1.7 signed agreement",
        "empty.log.age": b"",
    }
    mapping = {}
    for index, (name, content) in enumerate(files.items()):
        path = folder / f"source-{index}"
        path.write_bytes(content)
        mapping[name] = path
    return mapping


INFO = {
    "External-Identifier": "京海检刑诉〔2024〕123号",
    "Session-Id": "S-2024-0001",
    "Encrypted-To": ["age1first", "age1second"],
}


def test_bag_validates_with_bagit_and_keeps_sources(tmp_path: Path, sources: dict) -> None:
    bag_dir = make_bag(tmp_path / "bag", sources, INFO)
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert bag.version_info == (1, 0)
    assert bag.info["External-Identifier"] == "京海检刑诉〔2024〕123号"
    assert bag.info["Encrypted-To"] == ["age1first", "age1second"]
    assert bag.info["Payload-Oxum"] == f"{300_000 + 25}.3"
    assert "Bagging-Date" in bag.info
    assert set(read_manifest(bag_dir)) == {f"data/{name}" for name in sources}
    for name, src in sources.items():
        assert (bag_dir / "data" / name).read_bytes() == src.read_bytes()
    verify_bag(bag_dir)


def test_altered_payload_byte_fails_bagit_and_names_the_file(tmp_path: Path, sources) -> None:
    bag_dir = make_bag(tmp_path / "bag", sources, INFO)
    video = bag_dir / "data" / "recording" / "composite.mkv.age"
    raw = bytearray(video.read_bytes())
    raw[1000] ^= 0xFF
    video.write_bytes(raw)
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()
    with pytest.raises(BagInvalidError) as caught:
        verify_bag(bag_dir)
    assert [p.path for p in caught.value.problems] == ["data/recording/composite.mkv.age"]
    assert "data/recording/composite.mkv.age (altered" in str(caught.value)


def test_truncated_missing_and_extra_files_are_each_named(tmp_path: Path, sources) -> None:
    bag_dir = make_bag(tmp_path / "bag", sources, INFO)
    os.truncate(bag_dir / "data" / "recording" / "composite.mkv.age", 1000)
    (bag_dir / "data" / "empty.log.age").unlink()
    (bag_dir / "data" / "stray.txt").write_text("added later")
    with pytest.raises(BagInvalidError) as caught:
        verify_bag(bag_dir)
    problems = {p.path: p.problem for p in caught.value.problems}
    assert problems["data/empty.log.age"] == "missing"
    assert problems["data/stray.txt"] == "not listed in the manifest"
    assert problems["data/recording/composite.mkv.age"].startswith("altered")


def test_edited_bag_info_is_caught_by_the_tag_manifest(tmp_path: Path, sources) -> None:
    bag_dir = make_bag(tmp_path / "bag", sources, INFO)
    info = bag_dir / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8").replace("123号", "124号"), encoding="utf-8")
    with pytest.raises(BagInvalidError, match=r"bag-info\.txt \(altered"):
        verify_bag(bag_dir)


def test_a_folder_that_is_not_a_bag_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notabag").mkdir()
    with pytest.raises(BagInvalidError, match="not a readable BagIt bag"):
        verify_bag(tmp_path / "notabag")


def test_existing_bag_is_never_overwritten(tmp_path: Path, sources) -> None:
    bag_dir = make_bag(tmp_path / "bag", sources, INFO)
    before = read_manifest(bag_dir)
    with pytest.raises(BagError, match="already exists"):
        make_bag(bag_dir, {"other.age": next(iter(sources.values()))}, {})
    assert read_manifest(bag_dir) == before
    verify_bag(bag_dir)


@pytest.mark.parametrize("name", ["../escape.age", "/etc/passwd", "a\\b.age", "50%.age", "a//b"])
def test_unsafe_payload_names_are_refused(tmp_path: Path, sources, name: str) -> None:
    with pytest.raises(BagError, match="cannot be stored"):
        make_bag(tmp_path / "bag", {name: next(iter(sources.values()))}, {})
    assert not (tmp_path / "bag").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".bag")] == []


def test_move_consumes_sources_and_progress_reaches_total(tmp_path: Path, sources) -> None:
    seen: list[tuple[int, int]] = []
    make_bag(tmp_path / "bag", sources, {}, move=True, progress=lambda d, t: seen.append((d, t)))
    assert not any(src.exists() for src in sources.values())
    assert seen[-1] == (300_025, 300_025)
    bagit.Bag(str(tmp_path / "bag")).validate()
