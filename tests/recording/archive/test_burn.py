"""Burning planned discs to image files, reading them back, spot checks, and split bags."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bagit
import pytest

from desktop.clerk.labels import print_label
from recording.archive import age
from recording.archive.age_keys import recipient_fingerprint
from recording.archive.burn import BurnError, DiscMismatchError, media_status
from recording.archive.custody import CustodyLog
from recording.archive.desk import ArchiveDesk
from recording.archive.disc_read import list_disc_files
from recording.archive.discplan import MEDIA, RESERVE_SECTORS, Media
from recording.archive.queue import find_finished_sessions

BEIJING = timezone(timedelta(hours=8))


def make_sessions(folder: Path, sizes: list[int]) -> dict[str, bytes]:
    """Finished-session folders with a recording of each size; returns recordings by case."""
    recordings = {}
    for index, size in enumerate(sizes):
        session = folder / f"s{index}"
        session.mkdir(parents=True)
        data = os.urandom(size)
        case = f"京朝检刑认〔2026〕{index + 1}号"
        recordings[case] = data
        (session / "composite.mkv").write_bytes(data)
        (session / "agreement.pdf").write_bytes(b"%PDF-1.7 " + case.encode())
        (session / "audit.jsonl").write_text('{"event": "closed"}\n')
        summary = {
            "session_id": f"{index:x}a1b2c3d-0000-4000-8000-000000000000",
            "case_number": case,
            "recording": "composite.mkv",
            "agreement_pdf": "agreement.pdf",
            "audit_log": "audit.jsonl",
            "timeline": [{"at": 1795400000.0}, {"at": 1795401800.0}],
        }
        (session / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
    return recordings


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, str]:
    """A custodian's key file made by age-keygen, and its recipient."""
    path = tmp_path / "custodian.key"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    return path, age.load_identities(path)[0].recipient


def make_desk(root: Path, **limits: int) -> ArchiveDesk:
    """A desk over ``root/archive`` with a clock that moves a second per reading."""
    moment = [datetime(2026, 11, 22, 17, 0, tzinfo=BEIJING)]

    def now() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    custody = CustodyLog(root / "archive" / "custody.jsonl", root / "clerk.pem", "张三", now)
    return ArchiveDesk(root / "archive", custody, now, print_label=print_label, **limits)  # type: ignore[arg-type]


def seal_all(desk: ArchiveDesk, sessions: Path, recipient: str) -> None:
    """Seal every session in ``sessions``."""
    found, problems = find_finished_sessions(sessions)
    assert problems == []
    for session in found:
        desk.seal(session, [recipient])


def extract(image: Path, dest: Path) -> Path:
    """Copy a disc image's files out with xorriso, as anyone could."""
    args = ["xorriso", "-osirrox", "on", "-indev", f"stdio:{image}", "-extract", "/", str(dest)]
    subprocess.run(args, check=True, capture_output=True)
    return dest


def test_two_copies_are_identical_read_back_and_open_with_standard_tools(
    tmp_path: Path, keys: tuple[Path, str]
) -> None:
    key, recipient = keys
    recordings = make_sessions(tmp_path / "sessions", [900_000, 1_300_000])
    desk = make_desk(tmp_path)
    seal_all(desk, tmp_path / "sessions", recipient)
    plan = desk.plan("bd", "pack")
    assert len(plan.discs) == 1
    disc_id = plan.discs[0].disc_id
    stages: list[tuple[str, int, int]] = []
    copies = {c: desk.burn(disc_id, c, progress=lambda *a: stages.append(a)) for c in "AB"}

    images = {c: Path(b.result.target.removeprefix("stdio:")) for c, b in copies.items()}
    assert images["A"].read_bytes() == images["B"].read_bytes()  # byte for byte
    on_disc = list_disc_files(copies["A"].result.target)
    assert copies["A"].result.read_back.files_checked == len(on_disc) > 10
    assert copies["A"].result.read_back.bytes_read == sum(f.size for f in on_disc.values())
    for stage in ("burn", "verify"):
        done, total = [(d, t) for s, d, t in stages if s == stage][-1]
        assert done == total > 0

    out = extract(images["B"], tmp_path / "from-disc")
    assert (out / "README.txt").read_text(encoding="utf-8").startswith("证据光盘")
    folders = sorted(p.parent for p in out.glob("*/bagit.txt"))
    assert len(folders) == 2
    for folder in folders:
        bag = bagit.Bag(str(folder))
        bag.validate()
        case = bag.info["External-Identifier"]
        assert bag.info["Internal-Sender-Identifier"] == bag.info["PleaDesk-Session-Id"]
        assert bag.info["PleaDesk-Session-Start"].startswith("2026-11-2")
        assert bag.info["PleaDesk-Clerk"] == "张三"
        assert bag.info["PleaDesk-Recorder"] == "PleaDesk hub recorder"
        assert bag.info["Encrypted-To"] == recipient
        assert bag.info["PleaDesk-Recipient-Fingerprint"] == recipient_fingerprint(recipient)
        ciphertext = folder / "data" / "recording" / "composite.mkv.age"
        opened = subprocess.run(
            ["age", "-d", "-i", str(key), str(ciphertext)], check=True, capture_output=True
        )
        assert opened.stdout == recordings[case]
    assert desk.state().discs_to_burn() == []


def test_a_bag_larger_than_a_disc_is_split_and_reopened_from_both_discs(
    tmp_path: Path, keys: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, recipient = keys
    monkeypatch.setitem(MEDIA, "tiny", Media("tiny", "test disc", RESERVE_SECTORS + 1400))
    recordings = make_sessions(tmp_path / "sessions", [4_000_000])
    desk = make_desk(tmp_path, max_file_size=1_500_000, piece_size=1_000_000)
    seal_all(desk, tmp_path / "sessions", recipient)
    plan = desk.plan("tiny", "pack")
    assert len(plan.discs) >= 2
    assert {(p.part, p.of) for d in plan.discs for p in d.parts} == {
        (n, len(plan.discs)) for n in range(1, len(plan.discs) + 1)
    }
    targets = [desk.burn(d.disc_id, "A").result.target for d in plan.discs]
    for target in targets:
        part = extract(Path(target.removeprefix("stdio:")), tmp_path / Path(target).name)
        bag = bagit.Bag(str(next(part.glob("*/bagit.txt")).parent))
        bag.validate()  # every part is a valid bag on its own
        assert bag.info["Bag-Count"].endswith(f"of {len(plan.discs)}")

    identities = age.load_identities(key)
    only_first = desk.open(targets[:1], identities, tmp_path / "one")
    recording = next(f for f in only_first if f.name == "recording/composite.mkv")
    assert not recording.matches and "another disc" in recording.problem
    opened = desk.open(targets, identities, tmp_path / "all")
    assert all(f.matches for f in opened), opened
    recording = next(f for f in opened if f.name == "recording/composite.mkv")
    assert recording.path is not None
    assert recording.path.read_bytes() == next(iter(recordings.values()))
    assert desk.custody.entries()[-1].event == "decrypt"


def _flip_inside(image: Path, target: str, path: str) -> None:
    disc_file = list_disc_files(target)[path]
    offset = disc_file.extents[0][0] * 2048 + disc_file.size // 2
    with open(image, "r+b") as disc:
        disc.seek(offset)
        byte = disc.read(1)
        disc.seek(offset)
        disc.write(bytes([byte[0] ^ 0x40]))


def test_a_damaged_copy_fails_its_spot_check_naming_the_file(
    tmp_path: Path, keys: tuple[Path, str]
) -> None:
    make_sessions(tmp_path / "sessions", [700_000])
    desk = make_desk(tmp_path)
    seal_all(desk, tmp_path / "sessions", keys[1])
    disc_id = desk.plan("dvd", "case").discs[0].disc_id
    target = desk.burn(disc_id, "A").result.target
    assert desk.spot_check(target, "A").ok
    image = Path(target.removeprefix("stdio:"))
    bag_id = desk.state().discs[disc_id].folders[0]
    damaged = f"{bag_id}/data/recording/composite.mkv.age"
    _flip_inside(image, target, damaged)
    result = desk.spot_check(target, "A")
    assert [(p.path, p.problem) for p in result.problems] == [
        (damaged, "altered: its SHA-256 differs")
    ]
    last = desk.custody.entries()[-1]
    assert last.event == "verify" and last.details["ok"] is False
    assert desk.state().discs[disc_id].copies["A"] == "failed"


def test_a_disc_rebuilt_with_a_consistent_forged_manifest_fails_against_custody(
    tmp_path: Path, keys: tuple[Path, str]
) -> None:
    make_sessions(tmp_path / "sessions", [300_000])
    desk = make_desk(tmp_path)
    seal_all(desk, tmp_path / "sessions", keys[1])
    disc_id = desk.plan("dvd", "case").discs[0].disc_id
    image = Path(desk.burn(disc_id, "A").result.target.removeprefix("stdio:"))
    forged = extract(image, tmp_path / "forged")
    for path in forged.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    bag_dir = next(forged.glob("*/bagit.txt")).parent
    (bag_dir / "data" / "logs" / "audit.jsonl.age").write_bytes(b"replaced")
    bagit.Bag(str(bag_dir)).save(manifests=True)  # manifests rewritten to match the forgery
    bagit.Bag(str(bag_dir)).validate()
    fake = tmp_path / "fake.iso"
    args = ["xorriso", "-outdev", f"stdio:{fake}", "-joliet", "on", "-map", str(forged), "/"]
    subprocess.run([*args, "-commit"], check=True, capture_output=True)
    result = desk.spot_check(f"stdio:{fake}")
    assert [p.problem for p in result.problems] == [
        "its manifest differs from the one recorded at sealing"
    ]


def test_a_written_medium_is_never_burned_again(tmp_path: Path, keys: tuple[Path, str]) -> None:
    make_sessions(tmp_path / "sessions", [200_000])
    desk = make_desk(tmp_path)
    seal_all(desk, tmp_path / "sessions", keys[1])
    disc_id = desk.plan("dvd", "case").discs[0].disc_id
    blank = tmp_path / "drive.img"
    blank.write_bytes(b"")  # an empty file is a blank medium, as in a drive
    assert media_status(f"stdio:{blank}") == "is blank"
    burned = desk.burn(disc_id, "A", f"stdio:{blank}")
    assert burned.result.read_back.ok
    before = hashlib.sha256(blank.read_bytes()).hexdigest()
    with pytest.raises(BurnError, match="not blank"):
        desk.burn(disc_id, "B", f"stdio:{blank}")
    assert hashlib.sha256(blank.read_bytes()).hexdigest() == before
    assert desk.custody.entries()[-1].details["ok"] is False


def test_a_read_back_mismatch_keeps_no_image(tmp_path: Path, keys: tuple[Path, str]) -> None:
    make_sessions(tmp_path / "sessions", [200_000])
    desk = make_desk(tmp_path)
    seal_all(desk, tmp_path / "sessions", keys[1])
    disc_id = desk.plan("dvd", "case").discs[0].disc_id
    layout = desk.layout(disc_id)
    payload = next(f for f in layout.files if f.disc_path.endswith("composite.mkv.age"))
    payload.source.chmod(0o644)
    with open(payload.source, "r+b") as out:  # the disk changed the bag after sealing
        out.seek(1000)
        byte = out.read(1)[0]
        out.seek(1000)
        out.write(bytes([byte ^ 0xFF]))  # a changed byte (writing a zero may change none)
    with pytest.raises(DiscMismatchError) as caught:
        desk.burn(disc_id, "A")
    assert [p.path for p in caught.value.read_back.problems] == [payload.disc_path]
    assert list((tmp_path / "archive" / "discs").iterdir()) == []
    assert desk.state().discs[disc_id].copies["A"] == "failed"
