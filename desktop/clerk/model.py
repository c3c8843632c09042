"""The clerk station's view-model: the archive queue and its long jobs, as Qt signals.

The window asks for a job (seal, plan, burn, spot-check, refresh); the job runs on the engine
thread's executor, never on the GUI thread, one at a time. Progress, results and the refreshed
queue come back only through :meth:`GuiBridge.run_on_main`. Progress is thinned to a few
updates a second before it crosses threads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.bridge import EngineThread, GuiBridge
from recording.archive.desk import ArchiveDesk
from recording.archive.ledger import Entry
from recording.archive.progress import ProgressMeter
from recording.archive.queue import (
    DiscRecord,
    FinishedSession,
    SealedBagRecord,
    find_finished_sessions,
)

_PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True)
class ClerkSnapshot:
    """What the clerk sees: the three queues, problems, and the custody log with its check."""

    sessions_to_seal: tuple[FinishedSession, ...] = ()
    session_problems: tuple[tuple[Path, str], ...] = ()
    bags_to_plan: tuple[SealedBagRecord, ...] = ()
    discs_to_burn: tuple[DiscRecord, ...] = ()
    custody: tuple[Entry, ...] = ()
    custody_problems: tuple[str, ...] = field(default=())


class ClerkModel(QObject):
    """Runs the clerk's jobs off the GUI thread and reports them as signals."""

    #: The queue or the custody log changed: the new :class:`ClerkSnapshot`.
    snapshot_changed = Signal(object)
    #: A job moved on: a :class:`ProgressReport`.
    progress_changed = Signal(object)
    #: A job started (True) or ended (False).
    busy_changed = Signal(bool)
    #: A job succeeded: (job kind, what was done, in plain words).
    job_finished = Signal(str, str)
    #: A job failed: (job kind, the error's message).
    job_failed = Signal(str, str)

    def __init__(
        self,
        desk: ArchiveDesk,
        sessions_dir: Path,
        recipients: Sequence[str],
        bridge: GuiBridge,
        engine: EngineThread,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.sessions_dir = Path(sessions_dir)
        self.recipients = list(recipients)
        self._bridge = bridge
        self._engine = engine
        self._clock = clock
        self.busy = False
        self.snapshot = ClerkSnapshot()

    # --- jobs the window asks for ---------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read the sessions folder and the custody log."""
        return self._start("refresh", lambda _progress: None)

    def seal(self, session_ids: Sequence[str]) -> bool:
        """Seal the listed sessions, one after another."""
        chosen = [s for s in self.snapshot.sessions_to_seal if s.session_id in set(session_ids)]

        def work(progress: Callable[[str, int, int], None]) -> str:
            for session in chosen:
                self.desk.seal(session, self.recipients, progress)
            return ", ".join(s.case_number for s in chosen)

        return self._start("seal", work)

    def plan(self, media: str, mode: str) -> bool:
        """Plan discs for every sealed bag not on a disc yet."""

        def work(_progress: Callable[[str, int, int], None]) -> str:
            plan = self.desk.plan(media, mode)
            return ", ".join(d.disc_id for d in plan.discs)

        return self._start("plan", work)

    def burn(self, disc_id: str, copies: Sequence[str], targets: dict[str, str | None]) -> bool:
        """Burn and read back the given copies of a planned disc."""

        def work(progress: Callable[[str, int, int], None]) -> str:
            labels = []
            for copy in copies:
                burned = self.desk.burn(disc_id, copy, targets.get(copy) or None, progress)
                labels.append(str(burned.label))
            return "; ".join(labels)

        return self._start("burn", work)

    def spot_check(self, target: str) -> bool:
        """Read back a stored disc and compare it with the records."""

        def work(progress: Callable[[str, int, int], None]) -> str:
            result = self.desk.spot_check(target, "", progress)
            if not result.ok:
                shown = "; ".join(f"{p.path}: {p.problem}" for p in result.problems[:5])
                raise RuntimeError(shown)
            return f"{result.volume_id}: {result.read_back.files_checked}"

        return self._start("verify", work)

    # --- running them ---------------------------------------------------------------------

    def _start(self, kind: str, work: Callable[[Callable[[str, int, int], None]], Any]) -> bool:
        """Start ``work`` unless a job is running; return whether it started."""
        if self.busy:
            return False
        self.busy = True
        self.busy_changed.emit(True)
        self._engine.submit(self._run(kind, work))
        return True

    async def _run(self, kind: str, work: Callable[[Callable[[str, int, int], None]], Any]) -> None:
        meter = ProgressMeter(self._clock)
        posted = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            report = meter.update(stage, done, total)
            now = self._clock()
            if now - posted[0] >= _PROGRESS_INTERVAL or done >= total:
                posted[0] = now
                self._bridge.run_on_main(self.progress_changed.emit, report)

        loop = asyncio.get_running_loop()
        try:
            message = await loop.run_in_executor(None, work, progress)
            snapshot: ClerkSnapshot | None = await loop.run_in_executor(None, self._read_snapshot)
        except Exception as exc:  # every failure goes to the clerk, in the engine's words
            snapshot = await loop.run_in_executor(None, self._read_snapshot_quietly)
            self._bridge.run_on_main(self._done, kind, None, str(exc), snapshot)
        else:
            self._bridge.run_on_main(self._done, kind, str(message or ""), None, snapshot)

    def _done(
        self, kind: str, message: str | None, error: str | None, snapshot: ClerkSnapshot | None
    ) -> None:
        self.busy = False
        if snapshot is not None:
            self.snapshot = snapshot
            self.snapshot_changed.emit(snapshot)
        self.busy_changed.emit(False)
        if error is not None:
            self.job_failed.emit(kind, error)
        else:
            self.job_finished.emit(kind, message or "")

    def _read_snapshot(self) -> ClerkSnapshot:
        """Read the sessions folder and custody log (on a worker thread)."""
        sessions, problems = find_finished_sessions(self.sessions_dir)
        state = self.desk.state()
        report = self.desk.custody.check()
        return ClerkSnapshot(
            tuple(state.sessions_to_seal(sessions)),
            tuple(problems),
            tuple(state.bags_to_plan()),
            tuple(state.discs_to_burn()),
            report.entries,
            tuple(p.message for p in report.problems),
        )

    def _read_snapshot_quietly(self) -> ClerkSnapshot | None:
        try:
            return self._read_snapshot()
        except Exception:  # the job's own error is what the clerk needs to see
            return None
