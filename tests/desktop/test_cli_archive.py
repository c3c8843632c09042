"""``pleadesk archive``: encrypt/decrypt with the age tool both ways, and a whole day by command."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

import pytest

from desktop.cli import archive as cli_archive


def pleadesk(*argv: str) -> int:
    """Parse and run ``pleadesk archive ...`` through the module's own parser."""
    parser = argparse.ArgumentParser(prog="pleadesk")
    cli_archive.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["archive", *argv])
    return args.run(args)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A station home and archive of its own, clerk 李四."""
    monkeypatch.setenv("PLEADESK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PLEADESK_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("PLEADESK_CLERK", "李四")
    return tmp_path


def _key(path: Path) -> str:
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    out = subprocess.run(["age-keygen", "-y", str(path)], check=True, capture_output=True)
    return out.stdout.decode().strip()


def test_encrypt_and_decrypt_interoperate_with_the_age_tool(tmp_path: Path, capsys) -> None:
    data = os.urandom(200_000)
    plain = tmp_path / "agreement.pdf"
    plain.write_bytes(data)
    first, second = tmp_path / "a.key", tmp_path / "b.key"
    recipients = [_key(first), _key(second)]
    ours = tmp_path / "ours.age"
    args = ["-r", recipients[0], "-r", recipients[1], "-o", str(ours), str(plain)]
    assert pleadesk("encrypt", *args) == 0
    for key in (first, second):
        opened = subprocess.run(["age", "-d", "-i", str(key), str(ours)], capture_output=True)
        assert opened.stdout == data
    theirs = tmp_path / "theirs.age"
    subprocess.run(["age", "-e", "-r", recipients[1], "-o", str(theirs), str(plain)], check=True)
    out = tmp_path / "out.pdf"
    assert pleadesk("decrypt", "-i", str(second), "-o", str(out), str(theirs)) == 0
    assert out.read_bytes() == data


def test_wrong_key_and_altered_file_fail_with_plain_words(tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(100_000))
    sealed = tmp_path / "sealed.age"
    assert (
        pleadesk("encrypt", "-r", _key(tmp_path / "right.key"), "-o", str(sealed), str(plain)) == 0
    )
    capsys.readouterr()
    wrong = tmp_path / "wrong.key"
    _key(wrong)
    assert pleadesk("decrypt", "-i", str(wrong), "-o", str(tmp_path / "x"), str(sealed)) == 1
    assert "None of the 1 key(s) given can open" in capsys.readouterr().err
    raw = bytearray(sealed.read_bytes())
    raw[-500] ^= 1
    sealed.write_bytes(raw)
    right = tmp_path / "right.key"
    assert pleadesk("decrypt", "-i", str(right), "-o", str(tmp_path / "x"), str(sealed)) == 1
    assert "altered" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _day(folder: Path) -> dict[str, bytes]:
    recordings = {}
    for index in range(2):
        session = folder / f"session-{index}"
        session.mkdir(parents=True)
        data = os.urandom(600_000 + index)
        recordings[f"京朝检刑认〔2026〕{index + 7}号"] = data
        (session / "composite.mkv").write_bytes(data)
        (session / "agreement.pdf").write_bytes(b"%PDF-1.7")
        summary = {
            "session_id": f"{index}b7e5a90-1111-4222-8333-444455556666",
            "case_number": f"京朝检刑认〔2026〕{index + 7}号",
            "recording": "composite.mkv",
            "agreement_pdf": "agreement.pdf",
        }
        (session / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
    return recordings


def test_a_day_by_command_seal_plan_burn_verify_open_and_custody(home: Path, capsys) -> None:
    recordings = _day(home / "sessions")
    key = home / "custodian.key"
    recipient = _key(key)
    assert pleadesk("queue", "--sessions", str(home / "sessions")) == 0
    assert "sessions to seal: 2" in capsys.readouterr().out
    assert pleadesk("seal", "-r", recipient, "--sessions", str(home / "sessions")) == 0
    assert pleadesk("seal", "-r", recipient, "--sessions", str(home / "sessions")) == 0
    assert "nothing to seal" in capsys.readouterr().out  # sealed once only
    assert pleadesk("plan", "--media", "dvd", "--mode", "case") == 0
    out = capsys.readouterr().out
    discs = [line.split()[0] for line in out.splitlines() if line.startswith("  PD")]
    assert len(discs) == 2
    for disc in discs:
        assert pleadesk("burn", disc) == 0
    out = capsys.readouterr().out
    assert out.count("all match") == 4
    images = sorted((home / "archive" / "discs").glob("*.iso"))
    assert len(images) == 4
    assert pleadesk("queue") == 0
    assert "discs to burn: 0" in capsys.readouterr().out

    assert pleadesk("verify", f"stdio:{images[1]}", "--copy", "B") == 0
    assert "all files match the records" in capsys.readouterr().out
    assert (
        pleadesk("open", str(images[0]), str(images[2]), "-i", str(key), "-o", str(home / "out"))
        == 0
    )
    opened = {p.parent.parent.name: p.read_bytes() for p in (home / "out").rglob("composite.mkv")}
    assert sorted(opened.values()) == sorted(recordings.values())

    assert pleadesk("custody", "verify") == 0
    out = capsys.readouterr().out
    # 2 seal, 1 plan, 4 burn, 4 verify after burning, 1 spot check, 1 decrypt
    assert "13 entries" in out and "the log is intact" in out
    log = home / "archive" / "custody.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    assert json.loads(lines[0])["actor"] == "李四"
    del lines[3]
    log.write_text("".join(lines), encoding="utf-8")
    assert pleadesk("custody", "verify", str(log)) == 1
    assert "entry 4 is missing (removed)" in capsys.readouterr().out


def test_a_damaged_disc_fails_the_spot_check_by_command(home: Path, capsys) -> None:
    _day(home / "sessions")
    recipient = _key(home / "custodian.key")
    assert pleadesk("seal", "-r", recipient, "--sessions", str(home / "sessions")) == 0
    assert pleadesk("plan", "--media", "bd", "--mode", "pack") == 0
    disc = next(line.split()[0] for line in capsys.readouterr().out.splitlines() if "  PD" in line)
    image = home / "copy-a.iso"
    assert pleadesk("burn", disc, "--copy", "A", "--target-a", f"stdio:{image}") == 0
    raw = bytearray(image.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    image.write_bytes(raw)
    capsys.readouterr()
    assert pleadesk("verify", f"stdio:{image}") == 1
    out = capsys.readouterr().out
    assert "PROBLEM" in out and "THE DISC FAILED ITS CHECK" in out


def test_copying_a_bag_and_listing_a_disc_are_recorded(home: Path, capsys) -> None:
    _day(home / "sessions")
    recipient = _key(home / "custodian.key")
    assert pleadesk("seal", "-r", recipient, "--sessions", str(home / "sessions")) == 0
    bag = sorted((home / "archive" / "bags").iterdir())[0]
    assert pleadesk("copy", bag.name, str(home / "usb")) == 0
    assert (home / "usb" / bag.name / "manifest-sha256.txt").read_bytes() == (
        bag / "manifest-sha256.txt"
    ).read_bytes()
    assert pleadesk("copy", bag.name, str(home / "usb")) == 1  # never over an earlier copy
    capsys.readouterr()
    assert pleadesk("list", str(home / "usb")) == 0
    out = capsys.readouterr().out
    assert bag.name in out and "data/recording/composite.mkv.age" in out
    log = [
        json.loads(line) for line in (home / "archive" / "custody.jsonl").read_text().splitlines()
    ]
    assert [(e["event"], e["details"]["ok"]) for e in log[2:]] == [
        ("copy", True),
        ("copy", False),
        ("access", True),
    ]
