"""The clerk window's progress line: stage, bytes done, rate and time left of the running job."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from recording.archive.progress import ProgressReport, format_bytes

_STAGES = {
    "encrypt": QT_TRANSLATE_NOOP("ClerkProgress", "Encrypting"),
    "bag": QT_TRANSLATE_NOOP("ClerkProgress", "Checking the bag"),
    "image": QT_TRANSLATE_NOOP("ClerkProgress", "Writing the image"),
    "burn": QT_TRANSLATE_NOOP("ClerkProgress", "Burning"),
    "verify": QT_TRANSLATE_NOOP("ClerkProgress", "Reading back"),
    "decrypt": QT_TRANSLATE_NOOP("ClerkProgress", "Decrypting"),
}


def stage_label(stage: str) -> str:
    """A job stage's name for the clerk."""
    return QCoreApplication.translate("ClerkProgress", str(_STAGES.get(stage, stage)))


def time_left_text(seconds: float | None) -> str:
    """Time left in words: "about 3 min 20 s left", or that it is still being estimated."""
    if seconds is None:
        return QCoreApplication.translate("ClerkProgress", "estimating time left")
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if minutes >= 60:
        return (
            QCoreApplication.translate("ClerkProgress", "about %1 h %2 min left")
            .replace("%1", str(minutes // 60))
            .replace("%2", f"{minutes % 60:02d}")
        )
    if minutes:
        return (
            QCoreApplication.translate("ClerkProgress", "about %1 min %2 s left")
            .replace("%1", str(minutes))
            .replace("%2", f"{secs:02d}")
        )
    return QCoreApplication.translate("ClerkProgress", "about %1 s left").replace("%1", str(secs))


class ProgressPanel(QWidget):
    """A progress bar with "Burning — 1.2 GiB of 4.3 GiB — 18 MiB/s — about 3 min left"."""

    def __init__(self) -> None:
        super().__init__()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.text = QLabel(self.tr("Idle"))
        self.text.setObjectName("progress_text")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.text, 2)

    def show_report(self, report: ProgressReport) -> None:
        """Show where the running job is."""
        self.bar.setValue(round(report.fraction * 1000))
        of = self.tr("%1 of %2").replace("%1", format_bytes(report.done))
        of = of.replace("%2", format_bytes(report.total))
        rate = format_bytes(report.rate) + "/s"
        self.text.setText(
            f"{stage_label(report.stage)} — {of} — {rate} — {time_left_text(report.seconds_left)}"
        )

    def show_idle(self, text: str = "", finished: bool = False) -> None:
        """No job running: ``text`` (or "Idle"), the bar full if a job just finished."""
        self.bar.setValue(1000 if finished else 0)
        self.text.setText(text or self.tr("Idle"))
