"""The first thing a user sees: which hub, which session, and in which role to join."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit

from desktop.texts import role_label


class ConnectDialog(QDialog):
    """Asks for the hub address, the session id and the role."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Join a plea session"))
        self.hub = QLineEdit("http://127.0.0.1:8765")
        self.session = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.role = QComboBox()
        for role in ("prosecutor", "suspect", "lawyer"):
            self.role.addItem(role_label(role), role)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Hub"), self.hub)
        form.addRow(self.tr("Session"), self.session)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Join token"), self.token)
        form.addRow(buttons)

    def choice(self) -> tuple[str, str, str, str]:
        """(hub URL, session id, role, join token) as entered."""
        return (
            self.hub.text().strip(),
            self.session.text().strip(),
            self.role.currentData(),
            self.token.text().strip(),
        )
