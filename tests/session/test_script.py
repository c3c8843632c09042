"""The scripted prosecutor: every step in order, resuming an interruption once all are back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from session.machine import SessionMachine, State, StepRefused
from session.station.script import play_part

AGREEMENT = "12" * 32


class FakeStation:
    """A prosecutor's station whose hub is a real state machine, in memory. The lawyer drops
    as the rights are about to be notified and comes back after the second request to resume."""

    role = "prosecutor"
    sharing = True

    def __init__(self) -> None:
        self.machine = SessionMachine()
        for role in ("suspect", "prosecutor", "lawyer"):
            self.machine.party_joined(role, 0.0)
        self.machine.recorder_started(0.0)
        self.state = self.machine.state.value
        self.asked: list[str] = []
        self._seen = asyncio.Condition()

    async def request_step(self, step: str) -> None:
        self.asked.append(step)
        if step == "notify_rights" and "resume" not in self.asked:
            self.machine.party_left("lawyer", 0.0)
        if step == "resume" and self.asked.count("resume") == 2:
            self.machine.party_joined("lawyer", 0.0)
        with contextlib.suppress(StepRefused):  # the hub would say why; the state stays
            self.machine.request(step, self.role, 0.0)
        if self.machine.state is State.SIGNING:
            for signer in ("suspect", "lawyer"):
                self.machine.signature_received(signer, 0.0, AGREEMENT)
        if self.machine.state is State.CLOSING:
            self.machine.recorder_stopped(0.0)
        async with self._seen:
            self.state = self.machine.state.value
            self._seen.notify_all()

    async def wait_for_state(self, predicate: Callable[[str], bool], timeout: float) -> str:
        async with self._seen:
            await asyncio.wait_for(self._seen.wait_for(lambda: predicate(self.state)), timeout)
            return self.state

    async def load_agreement(self, pdf: bytes) -> str:
        self.machine.agreement_loaded(AGREEMENT, self.role)
        return AGREEMENT

    def show_page(self, document_sha256: str, page: int) -> None:
        pass


async def test_the_scripted_prosecutor_resumes_an_interrupted_session_and_finishes_it():
    station = FakeStation()
    await play_part(station, 0.0, agreement=b"%PDF-", timeout=30)  # type: ignore[arg-type]
    assert station.machine.states_passed[4:] == [
        "interrupted",
        "announced",
        "rights_notified",
        "hearing",
        "agreement_presented",
        "signing",
        "signed",
        "closing",
        "closed",
    ]
    assert station.asked.count("resume") == 2
