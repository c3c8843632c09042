"""Each party's part in a scripted session, for the demo and end-to-end tests.

The prosecutor walks the session through its lawful steps at an even pace; at signing the
suspect signs first and the duty lawyer then signs as witness; the prosecutor closes once the
agreement is signed. Every step goes through the hub like a person's click would.
"""

from __future__ import annotations

import asyncio
from typing import Any

from session.machine import State, Step
from session.station import Station

PROSECUTOR_STEPS = (
    Step.ANNOUNCE,
    Step.NOTIFY_RIGHTS,
    Step.BEGIN_HEARING,
    Step.PRESENT_AGREEMENT,
    Step.BEGIN_SIGNING,
)
#: Pauses in a scripted session: one before each prosecutor step, the two signatures, closing.
PAUSES = len(PROSECUTOR_STEPS) + 2


def step_seconds(session_seconds: float) -> float:
    """The pause between steps for a session that should last ``session_seconds``."""
    return session_seconds / PAUSES


async def play_part(
    station: Station,
    pause: float,
    signature: dict[str, Any] | None = None,
    timeout: float = 120.0,
) -> None:
    """Play ``station.role``'s part until the session is closed."""

    def reached(state: State) -> Any:
        return lambda current: current == state.value

    if station.role == "prosecutor":
        await station.wait_for_state(reached(State.RECORDING), timeout)
        for step in PROSECUTOR_STEPS:
            await asyncio.sleep(pause)
            await station.request_step(step)
        await station.wait_for_state(reached(State.SIGNED), timeout)
        await asyncio.sleep(pause / 2)
        await station.request_step(Step.CLOSE)
    elif signature is not None:
        await station.wait_for_state(reached(State.SIGNING), timeout)
        # The suspect signs first; the lawyer witnesses, then signs.
        await asyncio.sleep(pause if station.role == "suspect" else pause * 1.5)
        await station.submit_signature(signature)
    await station.wait_for_state(reached(State.CLOSED), timeout)
