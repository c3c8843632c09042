"""Disc labels: Chinese text, font embedded, the integrity values, QR codes that read back."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import pytest

from desktop.clerk.labels import disc_label
from documents.pdf.disc_label import qr_text, write_disc_label
from recording.archive.discplan import DiscPlan, PlannedDisc, PlannedPart

BEIJING = timezone(timedelta(hours=8))


def _disc(bags: int) -> tuple[DiscPlan, PlannedDisc, dict[str, str]]:
    parts = tuple(
        PlannedPart(f"S20261122-{i:04d}abcd", f"京朝检刑认〔2026〕{100 + i}号", 1, 1, (), 10)
        for i in range(bags)
    )
    disc = PlannedDisc("PD20261122_03", parts)
    plan = DiscPlan("PLAN-20261122-180000", "dvd", "pack", "2026-11-22T18:00:00+08:00", (disc,))
    manifests = {p.folder: f"{i:02x}" * 32 for i, p in enumerate(parts)}
    return plan, disc, manifests


@pytest.fixture
def label(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Copy B's label of a disc holding three bags."""
    plan, disc, manifests = _disc(3)
    burned = datetime(2026, 11, 22, 18, 30, tzinfo=BEIJING)
    path = write_disc_label(tmp_path / "label.pdf", disc_label(plan, disc), "B", manifests, burned)
    return path, manifests


def test_the_label_names_disc_copy_cases_and_integrity_values(label) -> None:
    path, manifests = label
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    words = text.decode()
    assert "PD20261122_03" in words and "副本 B" in words and "随案卷" in words
    for number in (100, 101, 102):
        assert f"京朝检刑认〔2026〕{number}号" in words
    for digest in manifests.values():
        assert digest[:32] in words and digest[32:] in words
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    cjk = [line for line in fonts.decode().splitlines() if "UMing" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_the_qr_code_reads_back_as_the_disc_record(label, tmp_path: Path) -> None:
    path, manifests = label
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "page")], check=True)
    image = cv2.imread(str(next(tmp_path.glob("page*.png"))))
    found, decoded, _, _ = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(image)
    assert found
    assert sorted(decoded) == sorted(
        [
            qr_text("PD20261122_03", "B", manifests),  # the sheet: every bag's value
            qr_text("PD20261122_03", "B", manifests, full=False),  # the disc face
        ]
    )
    sheet = max(decoded, key=len)
    assert sheet.startswith("PLEADESK-DISC/1;PD20261122_03;B;S20261122-0000abcd=" + "00" * 32)


def test_a_disc_with_many_bags_gets_one_digest_in_its_qr_code() -> None:
    _, _, manifests = _disc(40)
    text = qr_text("PD20261122_03", "A", manifests)
    assert text.startswith("PLEADESK-DISC/1;PD20261122_03;A;ALL=") and len(text) < 200
