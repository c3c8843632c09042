"""The clerk's window: seal the day's sessions, plan, burn A and B, with progress and custody."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.application import make_application
from desktop.bridge import EngineThread, GuiBridge
from desktop.clerk.labels import print_label
from desktop.clerk.model import ClerkModel
from desktop.clerk.progress import ProgressPanel
from desktop.clerk.window import ClerkWindow
from recording.archive import age
from recording.archive.custody import CustodyLog
from recording.archive.desk import ArchiveDesk
from recording.archive.progress import ProgressMeter

BEIJING = timezone(timedelta(hours=8))
CASES = ["京朝检刑认〔2026〕11号", "京朝检刑认〔2026〕12号"]


def _sessions(folder: Path) -> Path:
    for index, case in enumerate(CASES):
        session = folder / f"session-{index}"
        session.mkdir(parents=True)
        (session / "composite.mkv").write_bytes(os.urandom(1_500_000))
        (session / "agreement.pdf").write_bytes(b"%PDF-1.7 signed")
        summary = {
            "session_id": f"{index}0c4e2b1-7d1a-4c55-9a7e-5b0f3c2d1e{index}0",
            "case_number": case,
            "recording": "composite.mkv",
            "agreement_pdf": "agreement.pdf",
            "timeline": [{"at": 1795400000.0 + index * 3600}, {"at": 1795401200.0}],
        }
        (session / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
    return folder


@pytest.fixture
def clerk(qtbot, tmp_path: Path):
    """A clerk window over a new archive and a folder with two finished sessions."""
    make_application()
    clock = [datetime(2026, 11, 22, 17, 0, tzinfo=BEIJING)]

    def now() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    archive = tmp_path / "archive"
    custody = CustodyLog(archive / "custody.jsonl", tmp_path / "clerk.pem", "张三", now)
    desk = ArchiveDesk(archive, custody, now, print_label=print_label)
    engine = EngineThread()
    identity = age.Identity.generate()
    model = ClerkModel(
        desk, _sessions(tmp_path / "sessions"), [identity.recipient], GuiBridge(), engine
    )
    window = ClerkWindow(model)
    qtbot.addWidget(window)
    window.show()
    yield window, model
    engine.stop()


def _run(qtbot, model: ClerkModel, start) -> tuple[str, str]:
    """Start a job and wait for it to finish or fail; return (outcome, message)."""
    outcome: list[tuple[str, str]] = []
    model.job_finished.connect(lambda kind, text: outcome.append(("finished", text)))
    model.job_failed.connect(lambda kind, text: outcome.append(("failed", text)))
    start()
    qtbot.waitUntil(lambda: bool(outcome) and not model.busy, timeout=30000)
    return outcome[-1]


def test_a_day_goes_from_sessions_to_two_verified_copies(clerk, qtbot, tmp_path: Path) -> None:
    window, model = clerk
    _run(qtbot, model, model.refresh)
    assert window.sessions.tree.topLevelItemCount() == 2
    assert window.sessions.seal_all.isEnabled()

    reports = []
    model.progress_changed.connect(reports.append)
    busy = []
    model.busy_changed.connect(busy.append)
    window.sessions.seal_all.click()
    assert not window.sessions.seal_all.isEnabled()  # one job at a time
    qtbot.waitUntil(lambda: busy[-1:] == [False], timeout=30000)
    assert window.sessions.tree.topLevelItemCount() == 0
    assert window.discs.bags.topLevelItemCount() == 2
    assert {r.stage for r in reports} >= {"encrypt", "bag"}
    assert reports[-1].done == reports[-1].total

    window.discs.media.setCurrentIndex(window.discs.media.findData("dvd"))
    window.discs.mode.setCurrentIndex(window.discs.mode.findData("case"))
    assert _run(qtbot, model, window.discs.plan_button.click)[0] == "finished"
    assert window.discs.discs.topLevelItemCount() == 2  # one case per disc

    reports.clear()
    outcome = _run(qtbot, model, window.discs.burn_button.click)
    assert outcome[0] == "finished", outcome
    assert window.discs.discs.topLevelItemCount() == 1  # the first disc is done
    assert {r.stage for r in reports} >= {"burn", "verify"}
    assert "Reading back" in window.progress.text.text() or "done" in window.progress.text.text()
    images = sorted(p.name for p in (tmp_path / "archive" / "discs").iterdir())
    assert len(images) == 2 and images[0].endswith("-A.iso") and images[1].endswith("-B.iso")
    labels = sorted(p.name for p in (tmp_path / "archive" / "labels").iterdir())
    assert [name[-6:] for name in labels] == ["-A.pdf", "-B.pdf"]

    events = [
        window.custody.table.item(row, 3).text() for row in range(window.custody.table.rowCount())
    ]
    assert len(events) == 2 + 1 + 2 + 2  # seal x2, plan, burn A/B, verify A/B
    assert "intact" in window.custody.status.text()
    window.grab().save(str(tmp_path / "clerk.png"))


def test_a_failed_burn_is_shown_and_recorded(clerk, qtbot, tmp_path: Path) -> None:
    window, model = clerk
    _run(qtbot, model, model.refresh)
    _run(qtbot, model, lambda: model.seal([s.session_id for s in model.snapshot.sessions_to_seal]))
    _run(qtbot, model, lambda: model.plan("bd", "pack"))
    disc = model.snapshot.discs_to_burn[0].disc_id
    taken = tmp_path / "taken.iso"
    taken.write_bytes(b"an earlier image")
    outcome = _run(qtbot, model, lambda: model.burn(disc, ["A"], {"A": f"stdio:{taken}"}))
    assert outcome[0] == "failed" and "not blank" in outcome[1]
    assert taken.read_bytes() == b"an earlier image"
    assert "failed" in window.statusBar().currentMessage()
    assert window.failure_box.isVisible()
    assert "(failed)" in window.custody.table.item(0, 3).text()


def test_progress_shows_rate_and_time_left_from_a_steady_job(qtbot) -> None:
    make_application()
    now = [100.0]
    meter = ProgressMeter(lambda: now[0], window=3.0)
    report = meter.update("burn", 0, 4 * 1024**3)
    assert report.seconds_left is None  # nothing to go on yet
    for _ in range(10):
        now[0] += 1.0
        report = meter.update("burn", report.done + 20 * 1024**2, 4 * 1024**3)
    assert report.rate == pytest.approx(20 * 1024**2)
    assert report.seconds_left == pytest.approx((4 * 1024 - 200) / 20)
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.show_report(report)
    assert panel.text.text() == "Burning — 200 MiB of 4.0 GiB — 20.0 MiB/s — about 3 min 15 s left"
    assert panel.bar.value() == 49  # per mille
    assert meter.update("verify", 0, 10).seconds_left is None  # a new stage starts afresh
