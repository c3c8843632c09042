"""The clerk's discs: bags waiting for a disc, planning, burning copies A and B, spot checks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.clerk.model import ClerkModel, ClerkSnapshot
from recording.archive.progress import format_bytes


class DiscsView(QWidget):
    """Plan discs for the sealed bags, burn and read back both copies, check stored discs."""

    def __init__(self, model: ClerkModel) -> None:
        super().__init__()
        self._model = model
        self.bags = QTreeWidget()
        self.bags.setHeaderLabels([self.tr("Bag"), self.tr("Case number"), self.tr("Size")])
        self.bags.setRootIsDecorated(False)
        self.media = QComboBox()
        for key, name in (
            ("dvd", self.tr("DVD 4.7 GB")),
            ("dvd-dl", self.tr("DVD DL 8.5 GB")),
            ("bd", self.tr("BD-R 25 GB")),
            ("bd-dl", self.tr("BD-R DL 50 GB")),
        ):
            self.media.addItem(name, key)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("One case per disc"), "case")
        self.mode.addItem(self.tr("Pack by size"), "pack")
        self.plan_button = QPushButton(self.tr("Plan discs"))
        self.plan_button.clicked.connect(
            lambda: model.plan(self.media.currentData(), self.mode.currentData())
        )
        self.discs = QTreeWidget()
        self.discs.setHeaderLabels(
            [self.tr("Disc"), self.tr("Bags"), self.tr("Copy A"), self.tr("Copy B")]
        )
        self.discs.setRootIsDecorated(False)
        self.target_a = QLineEdit()
        self.target_b = QLineEdit()
        for field in (self.target_a, self.target_b):
            field.setPlaceholderText(self.tr("empty: an image file in the archive"))
        self.burn_button = QPushButton(self.tr("Burn and verify copies A and B"))
        self.burn_button.clicked.connect(self._burn)
        self.check_target = QLineEdit()
        self.check_target.setPlaceholderText(self.tr("drive (/dev/sr0) or stdio:image.iso"))
        self.check_button = QPushButton(self.tr("Check a stored disc"))
        self.check_button.clicked.connect(self._check)
        self.setLayout(self._layout())
        model.snapshot_changed.connect(self.show_snapshot)
        model.busy_changed.connect(lambda busy: self._enable(not busy))
        self.discs.itemSelectionChanged.connect(lambda: self._enable(not model.busy))
        self.show_snapshot(model.snapshot)

    def _layout(self) -> QVBoxLayout:
        planning = QGroupBox(self.tr("Sealed bags waiting for a disc"))
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.media)
        plan_row.addWidget(self.mode)
        plan_row.addStretch(1)
        plan_row.addWidget(self.plan_button)
        box = QVBoxLayout(planning)
        box.addWidget(self.bags)
        box.addLayout(plan_row)
        burning = QGroupBox(self.tr("Discs to burn"))
        targets = QFormLayout()
        targets.addRow(self.tr("Drive for copy A (technical department)"), self.target_a)
        targets.addRow(self.tr("Drive for copy B (case file)"), self.target_b)
        box = QVBoxLayout(burning)
        box.addWidget(self.discs)
        box.addLayout(targets)
        box.addWidget(self.burn_button)
        checking = QGroupBox(self.tr("Spot check"))
        row = QHBoxLayout(checking)
        row.addWidget(self.check_target, 1)
        row.addWidget(self.check_button)
        layout = QVBoxLayout()
        layout.addWidget(planning, 1)
        layout.addWidget(burning, 2)
        layout.addWidget(checking)
        return layout

    def _copy_text(self, state: str | None) -> str:
        return {
            None: self.tr("not burned"),
            "burned": self.tr("burned, not verified"),
            "verified": self.tr("verified"),
            "failed": self.tr("FAILED"),
        }.get(state, state or "")

    def show_snapshot(self, snapshot: ClerkSnapshot) -> None:
        """List the bags waiting for a disc and the discs still to burn."""
        self.bags.clear()
        for bag in snapshot.bags_to_plan:
            self.bags.addTopLevelItem(
                QTreeWidgetItem([bag.bag_id, bag.case_number, format_bytes(bag.bytes)])
            )
        selected = self._selected_disc()
        self.discs.clear()
        for disc in snapshot.discs_to_burn:
            item = QTreeWidgetItem(
                [
                    disc.disc_id,
                    " ".join(disc.folders),
                    self._copy_text(disc.copies.get("A")),
                    self._copy_text(disc.copies.get("B")),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, disc.disc_id)
            self.discs.addTopLevelItem(item)
            if disc.disc_id == selected or (
                selected is None and self.discs.topLevelItemCount() == 1
            ):
                item.setSelected(True)
        for tree in (self.bags, self.discs):
            for column in range(tree.columnCount()):
                tree.resizeColumnToContents(column)
        self._enable(not self._model.busy)

    def _selected_disc(self) -> str | None:
        items = self.discs.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _enable(self, idle: bool) -> None:
        self.plan_button.setEnabled(idle and self.bags.topLevelItemCount() > 0)
        self.burn_button.setEnabled(idle and self._selected_disc() is not None)
        self.check_button.setEnabled(idle)

    def _burn(self) -> None:
        disc_id = self._selected_disc()
        if disc_id is None:
            return
        record = next(d for d in self._model.snapshot.discs_to_burn if d.disc_id == disc_id)
        copies = [c for c in ("A", "B") if record.copies.get(c) != "verified"]
        targets = {"A": self.target_a.text().strip(), "B": self.target_b.text().strip()}
        self._model.burn(disc_id, copies, {c: t or None for c, t in targets.items()})

    def _check(self) -> None:
        target = self.check_target.text().strip()
        if target:
            self._model.spot_check(target)
