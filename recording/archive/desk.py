"""The clerk's desk: seal sessions, plan discs, burn and verify copies, each step in custody.

An archive is a folder:

    custody.jsonl          the signed custody log, the archive's one record of state
    bags/<bag id>/         sealed bags (BagIt, ciphertext only)
    plans/<plan id>.json   disc plans
    discs/<disc>-A.iso     images, when copies are burned to image files
    labels/<disc>-A.pdf    disc labels
    staging/<disc>/        README and part-bag tag files made for a disc

:class:`ArchiveDesk` does one step at a time and appends a custody entry for it, also when the
step fails (the entry says so and why). Work is blocking: callers run it off their event loop
or GUI thread, with a ``progress(stage, done, total)`` callback.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from recording.archive.age_keys import Identity, recipient_fingerprint
from recording.archive.bag import MANIFEST, manifest_sha256, read_manifest, verify_bag
from recording.archive.burn import BurnResult, DiscMismatchError, burn_copy
from recording.archive.custody import CustodyLog
from recording.archive.disc import MAX_FILE_SIZE
from recording.archive.disc_check import DiscCheck, check_disc
from recording.archive.disc_layout import DiscLayout, lay_out_disc
from recording.archive.discplan import BagToPlan, DiscPlan, PlanError, PlannedDisc, plan_discs
from recording.archive.queue import FinishedSession, QueueState
from recording.archive.seal import HASHES_NAME, PIECE_SIZE, SealedBag, SealError, seal_bag
from recording.archive.unseal import OpenedFile, find_bags, open_bags

Progress = Callable[[str, int, int], None]
"""``progress(stage, done_bytes, total_bytes)``."""

_TAGS = ("bagit.txt", "bag-info.txt", MANIFEST, "tagmanifest-sha256.txt")


@dataclass(frozen=True)
class BurnedCopy:
    """A burned, read-back copy of a disc, and its label."""

    result: BurnResult
    label: Path


def _size_text(count: int) -> str:
    return f"{count / 1000**3:.2f} GB" if count >= 1000**3 else f"{count / 1000**2:.1f} MB"


#: Prints the label of copy ``copy`` of a disc of a plan to the given path (a new file), with
#: each bag folder's manifest SHA-256 and the time burned; returns the path. The documents
#: engine draws it (the clerk's desk is composed with ``desktop.clerk.labels.print_label``).
LabelPrinter = Callable[[Path, DiscPlan, PlannedDisc, str, Mapping[str, str], datetime], Path]


class ArchiveDesk:
    """Archive operations over the archive folder ``root``, recorded in ``custody``; every
    burned copy's label printed by ``print_label``."""

    def __init__(
        self,
        root: Path,
        custody: CustodyLog,
        clock: Callable[[], datetime],
        *,
        print_label: LabelPrinter,
        max_file_size: int = MAX_FILE_SIZE,
        piece_size: int = PIECE_SIZE,
    ) -> None:
        self.root = Path(root)
        self.custody = custody
        self._clock = clock
        self._print_label = print_label
        self._limits = {"max_file_size": max_file_size, "piece_size": piece_size}
        self.bags = self.root / "bags"
        self.plans = self.root / "plans"

    def state(self) -> QueueState:
        """The queue as the custody log records it."""
        return QueueState.from_entries(self.custody.entries())

    # --- sealing --------------------------------------------------------------------------

    def seal(
        self, session: FinishedSession, recipients: Sequence[str], progress: Progress | None = None
    ) -> SealedBag:
        """Seal ``session`` into ``bags/<bag id>`` for ``recipients``."""
        if session.session_id in {b.session_id for b in self.state().bags.values()}:
            raise SealError(
                f"Session {session.session_id} is already sealed; it is not sealed twice."
            )
        now = self._clock()
        info: dict[str, str | list[str]] = {
            "Bagging-Date": now.date().isoformat(),
            "External-Identifier": session.case_number,
            "Internal-Sender-Identifier": session.session_id,
            "External-Description": "远程认罪认罚会见同步录音录像及文书（age 加密）/ "
            "Remote plea session recording and documents, age-encrypted",
            "Bag-Size": _size_text(session.size),
            "Contact-Name": self.custody.actor,
            "PleaDesk-Session-Id": session.session_id,
            "PleaDesk-Recorder": session.recorder,
            "PleaDesk-Clerk": self.custody.actor,
            "PleaDesk-Sealed-At": now.isoformat(timespec="seconds"),
            "Encrypted-To": list(recipients),
            "PleaDesk-Recipient-Fingerprint": [recipient_fingerprint(r) for r in recipients],
        }
        if session.started:
            info["PleaDesk-Session-Start"] = session.started.isoformat(timespec="seconds")
        if session.ended:
            info["PleaDesk-Session-End"] = session.ended.isoformat(timespec="seconds")
        try:
            bag = seal_bag(
                dict(session.payload),
                recipients,
                self.bags / session.bag_id,
                info,
                progress,
                max_file_size=self._limits["max_file_size"],
                piece_size=self._limits["piece_size"],
            )
        except Exception as exc:
            self.custody.record("seal", ok=False, session_id=session.session_id, error=str(exc))
            raise
        self.custody.record(
            "seal",
            ok=True,
            bag_id=session.bag_id,
            session_id=session.session_id,
            case_number=session.case_number,
            files=len(bag.files),
            bytes=sum(f.ciphertext_size for f in bag.files),
            manifest_sha256=bag.manifest_sha256,
            recipients=[recipient_fingerprint(r) for r in recipients],
        )
        return bag

    # --- planning -------------------------------------------------------------------------

    def _bag_to_plan(self, bag_id: str, case_number: str) -> BagToPlan:
        bag_dir = self.bags / bag_id
        files = tuple(
            (path, (bag_dir / path).stat().st_size) for path in sorted(read_manifest(bag_dir))
        )
        tags = sum((bag_dir / name).stat().st_size for name in _TAGS)
        return BagToPlan(bag_id, case_number, files, tags, shared=(f"data/{HASHES_NAME}",))

    def plan(self, media: str, mode: str) -> DiscPlan:
        """Plan every sealed bag not yet on a disc; save the plan and record it."""
        state = self.state()
        bags = [self._bag_to_plan(b.bag_id, b.case_number) for b in state.bags_to_plan()]
        now = self._clock()
        prefix = f"PD{now:%Y%m%d}"
        used = [int(d.rsplit("_", 1)[1]) for d in state.discs if d.startswith(prefix + "_")]
        plan = plan_discs(
            bags,
            media,
            mode,
            plan_id=f"PLAN-{now:%Y%m%d-%H%M%S}",
            created=now.isoformat(timespec="seconds"),
            disc_prefix=prefix,
            first_number=max(used, default=0) + 1,
        )
        self.plans.mkdir(parents=True, exist_ok=True)
        path = self.plans / f"{plan.plan_id}.json"
        if path.exists():
            raise PlanError(
                f"A plan named {plan.plan_id} already exists; wait a second and plan again."
            )
        text = plan.dumps()
        path.write_text(text, encoding="utf-8")
        self.custody.record(
            "plan",
            plan_id=plan.plan_id,
            media=media,
            mode=mode,
            plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
            discs=[
                {
                    "disc_id": d.disc_id,
                    "parts": [p.folder for p in d.parts],
                    "bags": sorted({p.bag_id for p in d.parts}),
                }
                for d in plan.discs
            ],
        )
        return plan

    def planned_disc(self, disc_id: str) -> tuple[DiscPlan, PlannedDisc]:
        """The plan and planned disc named ``disc_id``."""
        record = self.state().discs.get(disc_id)
        if record is None:
            raise PlanError(f"There is no planned disc {disc_id}. Plan the discs first.")
        path = self.plans / f"{record.plan_id}.json"
        try:
            plan = DiscPlan.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise PlanError(f"The disc plan {path} cannot be read ({exc}). Restore it.") from None
        return plan, next(d for d in plan.discs if d.disc_id == disc_id)

    def layout(self, disc_id: str) -> DiscLayout:
        """Every file of planned disc ``disc_id``, staging its README and part tags."""
        plan, disc = self.planned_disc(disc_id)
        created = datetime.fromisoformat(plan.created)
        return lay_out_disc(disc, self.bags, self.root / "staging" / disc_id, created)

    # --- burning --------------------------------------------------------------------------

    def default_target(self, disc_id: str, copy: str) -> str:
        """Where copy ``copy`` goes when no drive is named: an image in ``discs/``."""
        return f"stdio:{self.root / 'discs' / f'{disc_id}-{copy}.iso'}"

    def burn(
        self, disc_id: str, copy: str, target: str | None = None, progress: Progress | None = None
    ) -> BurnedCopy:
        """Burn copy ``copy`` of ``disc_id`` to ``target``, read it back, print its label."""
        target = target or self.default_target(disc_id, copy)
        try:
            plan, disc = self.planned_disc(disc_id)
            layout = self.layout(disc_id)
            result = burn_copy(layout, copy, target, progress)
        except DiscMismatchError as exc:
            problems = [f"{p.path}: {p.problem}" for p in exc.read_back.problems]
            self.custody.record(
                "burn", ok=False, disc_id=disc_id, copy=copy, target=target, error=str(exc)
            )
            self.custody.record(
                "verify", ok=False, disc_id=disc_id, copy=copy, target=target, problems=problems
            )
            raise
        except Exception as exc:
            self.custody.record(
                "burn", ok=False, disc_id=disc_id, copy=copy, target=target, error=str(exc)
            )
            raise
        manifests = layout.manifest_hashes()
        label = self._print_label(
            self.root / "labels" / f"{disc_id}-{copy}.pdf",
            plan,
            disc,
            copy,
            manifests,
            self._clock(),
        )
        self.custody.record(
            "burn",
            ok=True,
            disc_id=disc_id,
            copy=copy,
            target=target,
            bytes=result.bytes_written,
            seconds=round(result.burn_seconds, 3),
            manifests=manifests,
            label=str(label),
        )
        self.custody.record(
            "verify",
            ok=True,
            disc_id=disc_id,
            copy=copy,
            target=target,
            files=result.read_back.files_checked,
            bytes=result.read_back.bytes_read,
            seconds=round(result.verify_seconds, 3),
            problems=[],
        )
        return BurnedCopy(result, label)

    # --- checking and opening -------------------------------------------------------------

    def spot_check(
        self, target: str, copy: str = "", progress: Progress | None = None
    ) -> DiscCheck:
        """Read back every file of the disc in ``target`` and compare it with the records."""
        state = self.state()
        try:
            result = check_disc(
                target, state.manifest_for, lambda d, t: progress and progress("verify", d, t)
            )
        except Exception as exc:
            self.custody.record("verify", ok=False, target=target, copy=copy, error=str(exc))
            raise
        self.custody.record(
            "verify",
            ok=result.ok,
            kind="spot check",
            disc_id=result.volume_id,
            copy=copy,
            target=target,
            files=result.read_back.files_checked,
            bytes=result.read_back.bytes_read,
            problems=[f"{p.path}: {p.problem}" for p in result.problems],
        )
        return result

    def open(
        self,
        sources: Sequence[str],
        identities: Sequence[Identity],
        out_dir: Path,
        progress: Progress | None = None,
    ) -> list[OpenedFile]:
        """Decrypt the bags in ``sources`` into ``out_dir``, checking every plaintext hash."""
        try:
            opened = open_bags(sources, identities, out_dir, progress)
        except Exception as exc:
            self.custody.record(
                "decrypt", ok=False, sources=list(sources), destination=str(out_dir), error=str(exc)
            )
            raise
        self.custody.record(
            "decrypt",
            ok=all(f.matches for f in opened),
            sources=list(sources),
            destination=str(out_dir),
            files=[
                {"bag": f.bag, "name": f.name, "matches": f.matches, "problem": f.problem}
                for f in opened
            ],
        )
        return opened

    def copy_bag(self, bag_id: str, destination: Path, progress: Progress | None = None) -> Path:
        """Copy sealed bag ``bag_id`` to ``destination/<bag id>`` and check the copy."""
        target = Path(destination) / bag_id
        try:
            if target.exists():
                raise SealError(f"{target} already exists; choose another place for the copy.")
            shutil.copytree(self.bags / bag_id, target)
            verify_bag(target, lambda d, t: progress and progress("verify", d, t))
        except Exception as exc:
            self.custody.record(
                "copy", ok=False, bag_id=bag_id, destination=str(target), error=str(exc)
            )
            raise
        self.custody.record(
            "copy",
            ok=True,
            bag_id=bag_id,
            destination=str(target),
            manifest_sha256=manifest_sha256(target),
        )
        return target

    def list_contents(self, source: str) -> dict[str, list[str]]:
        """``{bag id: [data paths]}`` of a disc or bag folder, recorded as an access."""
        try:
            found = {bag: sorted(files) for bag, files in find_bags([source]).items()}
        except Exception as exc:
            self.custody.record("access", ok=False, source=source, error=str(exc))
            raise
        self.custody.record("access", ok=True, source=source, bags=sorted(found))
        return found
