"""The evidence clerk's station: sessions to seal, discs to burn, the custody log, progress.

The window only composes: the three views take the :class:`ClerkModel`, the progress panel
shows the running job, and job results go to the status bar (failures also to a message box
that does not block the event loop). :func:`run_clerk_window` starts it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.clerk.custody_view import CustodyView
from desktop.clerk.discs_view import DiscsView
from desktop.clerk.labels import print_label
from desktop.clerk.model import ClerkModel, ClerkSnapshot
from desktop.clerk.progress import ProgressPanel
from desktop.clerk.sessions_view import SessionsView

_JOBS = {
    "refresh": QT_TRANSLATE_NOOP("ClerkWindow", "Reading the queue"),
    "seal": QT_TRANSLATE_NOOP("ClerkWindow", "Sealing"),
    "plan": QT_TRANSLATE_NOOP("ClerkWindow", "Planning discs"),
    "burn": QT_TRANSLATE_NOOP("ClerkWindow", "Burning"),
    "verify": QT_TRANSLATE_NOOP("ClerkWindow", "Checking a disc"),
}


def job_label(kind: str) -> str:
    """A job's name for the clerk."""
    return QCoreApplication.translate("ClerkWindow", str(_JOBS.get(kind, kind)))


class ClerkWindow(QMainWindow):
    """What the evidence clerk works in."""

    def __init__(self, model: ClerkModel) -> None:
        super().__init__()
        self._model = model
        self.setWindowTitle(self.tr("PleaDesk — Evidence archive"))
        self.sessions = SessionsView(model)
        self.discs = DiscsView(model)
        self.custody = CustodyView(model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sessions, self.tr("Sessions to seal"))
        self.tabs.addTab(self.discs, self.tr("Discs"))
        self.tabs.addTab(self.custody, self.tr("Custody log"))
        self.progress = ProgressPanel()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(model.refresh)
        self.archive = QLabel(self.tr("Archive: %1").replace("%1", str(model.desk.root)))
        top = QHBoxLayout()
        top.addWidget(self.archive, 1)
        top.addWidget(self.refresh_button)
        column = QVBoxLayout()
        column.addLayout(top)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.progress)
        root = QWidget()
        root.setLayout(column)
        self.setCentralWidget(root)
        self.resize(900, 640)
        model.snapshot_changed.connect(self._show_counts)
        model.progress_changed.connect(self.progress.show_report)
        model.busy_changed.connect(lambda busy: self.refresh_button.setEnabled(not busy))
        model.job_finished.connect(self._finished)
        model.job_failed.connect(self._failed)
        self._show_counts(model.snapshot)

    def _show_counts(self, snapshot: ClerkSnapshot) -> None:
        self.tabs.setTabText(
            0, self.tr("Sessions to seal (%1)").replace("%1", str(len(snapshot.sessions_to_seal)))
        )
        self.tabs.setTabText(
            1, self.tr("Discs (%1)").replace("%1", str(len(snapshot.discs_to_burn)))
        )
        warn = self.tr(" — CHECK FAILED") if snapshot.custody_problems else ""
        self.tabs.setTabText(2, self.tr("Custody log") + warn)

    def _finished(self, kind: str, message: str) -> None:
        text = self.tr("%1: done.").replace("%1", job_label(kind))
        if message and kind == "burn":
            text += " " + self.tr("Labels to print: %1").replace("%1", message)
        elif message and kind != "refresh":
            text += " " + message
        self.progress.show_idle(text, finished=True)
        self.statusBar().showMessage(text, 15000)

    def _failed(self, kind: str, message: str) -> None:
        headline = self.tr("%1 failed.").replace("%1", job_label(kind))
        self.progress.show_idle(headline)
        self.statusBar().showMessage(headline, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("PleaDesk"), headline, parent=self)
        box.setInformativeText(message)
        box.open()  # not exec(): a nested loop would stall the engine's callbacks
        self.failure_box = box


def run_clerk_window(
    archive: Path, sessions: Path, recipients: Sequence[str], clerk: str, key: Path
) -> int:
    """Show the clerk window over ``archive`` until it is closed; return the exit code."""
    from datetime import datetime

    from desktop.application import make_application
    from desktop.bridge import EngineThread, GuiBridge
    from recording.archive.custody import LOG_NAME, CustodyLog
    from recording.archive.desk import ArchiveDesk

    app = make_application()

    def now() -> datetime:
        return datetime.now().astimezone()

    custody = CustodyLog(archive / LOG_NAME, key, clerk, now)
    desk = ArchiveDesk(archive, custody, now, print_label=print_label)
    engine = EngineThread()
    model = ClerkModel(desk, sessions, recipients, GuiBridge(), engine)
    window = ClerkWindow(model)
    window.show()
    model.refresh()
    try:
        return app.exec()
    finally:
        engine.stop()
