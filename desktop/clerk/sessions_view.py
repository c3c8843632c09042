"""The clerk's list of finished sessions waiting to be sealed, with the seal buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.clerk.model import ClerkModel, ClerkSnapshot
from recording.archive.progress import format_bytes


class SessionsView(QWidget):
    """Sessions to seal: case number, start, size; seal the selected ones or all."""

    def __init__(self, model: ClerkModel) -> None:
        super().__init__()
        self._model = model
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [self.tr("Case number"), self.tr("Session started"), self.tr("Size")]
        )
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.setRootIsDecorated(False)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00000;")
        self.seal_selected = QPushButton(self.tr("Seal selected"))
        self.seal_all = QPushButton(self.tr("Seal all"))
        self.seal_selected.clicked.connect(self._seal_selected)
        self.seal_all.clicked.connect(self._seal_all)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.seal_selected)
        buttons.addWidget(self.seal_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        model.snapshot_changed.connect(self.show_snapshot)
        model.busy_changed.connect(lambda busy: self._enable(not busy))
        self.show_snapshot(model.snapshot)

    def show_snapshot(self, snapshot: ClerkSnapshot) -> None:
        """List the sessions waiting to be sealed and the folders that cannot be."""
        self.tree.clear()
        for session in snapshot.sessions_to_seal:
            started = session.started.strftime("%Y-%m-%d %H:%M") if session.started else "—"
            item = QTreeWidgetItem([session.case_number, started, format_bytes(session.size)])
            item.setData(0, Qt.ItemDataRole.UserRole, session.session_id)
            self.tree.addTopLevelItem(item)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        lines = [
            self.tr("Cannot be sealed: %1").replace("%1", f"{folder}: {problem}")
            for folder, problem in snapshot.session_problems
        ]
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self._enable(not self._model.busy)

    def _enable(self, idle: bool) -> None:
        has_any = self.tree.topLevelItemCount() > 0
        self.seal_selected.setEnabled(idle and has_any)
        self.seal_all.setEnabled(idle and has_any)

    def _ids(self, items: list[QTreeWidgetItem | None]) -> list[str]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def _seal_selected(self) -> None:
        chosen = self._ids(list(self.tree.selectedItems()))
        if chosen:
            self._model.seal(chosen)

    def _seal_all(self) -> None:
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        self._model.seal(self._ids(items))
