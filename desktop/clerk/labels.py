"""The disc label as the clerk's desk prints it: a planned disc, drawn by the documents engine.

The archive plans and burns discs; the documents engine draws labels; neither knows the other.
:func:`print_label` is the :data:`recording.archive.desk.LabelPrinter` every desk is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from documents.pdf.disc_label import DiscLabel, LabelledBag, write_disc_label
from recording.archive.discplan import MEDIA, DiscPlan, PlannedDisc


def disc_label(plan: DiscPlan, disc: PlannedDisc) -> DiscLabel:
    """What the label of ``disc`` of ``plan`` says."""
    media = MEDIA[plan.media].name if plan.media in MEDIA else plan.media
    bags = tuple(
        LabelledBag(part.case_number, part.bag_id, part.folder, part.part, part.of)
        for part in disc.parts
    )
    return DiscLabel(disc.disc_id, plan.plan_id, media, bags)


def print_label(
    path: Path,
    plan: DiscPlan,
    disc: PlannedDisc,
    copy: str,
    manifests: Mapping[str, str],
    burned: datetime,
) -> Path:
    """Write the label PDF of copy ``copy`` of ``disc`` to ``path``; return it."""
    return write_disc_label(path, disc_label(plan, disc), copy, manifests, burned)
