"""The custody log as the clerk reads it: every entry, newest first, and whether it is intact."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.clerk.model import ClerkModel, ClerkSnapshot
from recording.archive.ledger import Entry

_EVENTS = {
    "seal": QT_TRANSLATE_NOOP("CustodyView", "Sealed"),
    "plan": QT_TRANSLATE_NOOP("CustodyView", "Planned discs"),
    "burn": QT_TRANSLATE_NOOP("CustodyView", "Burned"),
    "verify": QT_TRANSLATE_NOOP("CustodyView", "Verified"),
    "copy": QT_TRANSLATE_NOOP("CustodyView", "Copied"),
    "access": QT_TRANSLATE_NOOP("CustodyView", "Accessed"),
    "decrypt": QT_TRANSLATE_NOOP("CustodyView", "Decrypted"),
    "export": QT_TRANSLATE_NOOP("CustodyView", "Exported"),
}


def event_label(event: str) -> str:
    """A custody event's name for the clerk."""
    return QCoreApplication.translate("CustodyView", str(_EVENTS.get(event, event)))


def summary(entry: Entry) -> str:
    """The entry's details in one line: what it was about and, if it failed, why."""
    d = entry.details
    subject = d.get("bag_id") or d.get("disc_id") or d.get("plan_id") or d.get("session_id") or ""
    if d.get("copy"):
        subject = f"{subject} {d['copy']}"
    failed = d.get("ok") is False
    detail = (d.get("error") or "; ".join(d.get("problems") or [])) if failed else ""
    return f"{subject} — {detail}" if detail else str(subject)


class CustodyView(QWidget):
    """A table of custody entries and a line saying whether the log passed its check."""

    def __init__(self, model: ClerkModel) -> None:
        super().__init__()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("No."), self.tr("Time"), self.tr("Clerk"), self.tr("Event"), self.tr("About")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        model.snapshot_changed.connect(self.show_snapshot)
        self.show_snapshot(model.snapshot)

    def show_snapshot(self, snapshot: ClerkSnapshot) -> None:
        """Show every entry, newest first, and the log's check."""
        entries = list(reversed(snapshot.custody))
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            failed = entry.details.get("ok") is False
            event = event_label(entry.event) + (self.tr(" (failed)") if failed else "")
            cells = [
                str(entry.seq),
                entry.time[:19].replace("T", " "),
                entry.actor,
                event,
                summary(entry),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if snapshot.custody_problems:
            self.status.setText(
                self.tr("The custody log FAILED its check: %1").replace(
                    "%1", "; ".join(snapshot.custody_problems)
                )
            )
            self.status.setStyleSheet("color: #b00000; font-weight: bold;")
        else:
            self.status.setText(
                self.tr("The custody log is intact: %1 signed entries.").replace(
                    "%1", str(len(entries))
                )
            )
            self.status.setStyleSheet("color: #006000;")
