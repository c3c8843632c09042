"""Each party's part in a scripted session, for the demo and end-to-end tests.

The prosecutor walks the session through its lawful steps at an even pace, loading the
agreement's PDF and showing its first page before presenting it; at signing the suspect signs
first — stroke by stroke, for the witness to see — and the duty lawyer then signs as witness,
each on the agreement fetched from the hub; the prosecutor closes once the agreement is signed.
Every step goes through the hub like a person's click would.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

from session.machine import State, Step
from session.station.engine import Station, StationError

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
    agreement: bytes | None = None,
    timeout: float = 120.0,
) -> None:
    """Play ``station.role``'s part until the session is closed: the prosecutor presents
    ``agreement`` (PDF bytes); the suspect and the lawyer sign with ``signature``."""

    def reached(state: State) -> Any:
        return lambda current: current == state.value

    if station.role == "prosecutor":
        await station.wait_for_state(reached(State.RECORDING), timeout)
        for step in PROSECUTOR_STEPS:
            await asyncio.sleep(pause)
            if step is Step.PRESENT_AGREEMENT:
                if agreement is None:
                    raise ValueError("the prosecutor's part needs the agreement to present")
                presented = await station.load_agreement(agreement)
                await _sharing(station, timeout)
                station.show_page(presented, 1)
            await _take_step(station, step, timeout)
        await station.wait_for_state(reached(State.SIGNED), timeout)
        await asyncio.sleep(pause / 2)
        await _take_step(station, Step.CLOSE, timeout)
    elif signature is not None:
        while True:  # an interruption while signing means signing again once resumed
            await station.wait_for_state(reached(State.SIGNING), timeout)
            # The suspect signs first; the lawyer witnesses, then signs.
            shown = hashlib.sha256(await station.fetch_agreement()).hexdigest()
            await asyncio.sleep(pause if station.role == "suspect" else pause * 1.5)
            await _sharing(station, timeout)
            with contextlib.suppress(StationError):  # the line broke just now: sign again
                await _write(station, signature, pause / 4)
                station.submit_signature({**signature, "document_sha256": shown})
            await station.wait_for_state(lambda s: s != State.SIGNING, timeout)
            if station.state != State.INTERRUPTED:
                break
    await station.wait_for_state(reached(State.CLOSED), timeout)


async def _take_step(station: Station, step: Step, timeout: float) -> None:
    """Ask for ``step`` until the session has taken it; an interrupted session is resumed
    first, as soon as every party is back (a person would press "resume" once they see them)."""
    async with asyncio.timeout(timeout):
        await _resume(station)
        origin = station.state
        while station.state in (origin, State.INTERRUPTED):
            await _resume(station)
            if station.state == origin:
                await _ask(station, step, lambda state: state != origin)


async def _sharing(station: Station, timeout: float) -> None:
    """Wait for the data channel (it comes back a moment after a reconnect)."""
    async with asyncio.timeout(timeout):
        while not station.sharing:  # noqa: ASYNC110 (aiortc offers no event to wait on)
            await asyncio.sleep(0.1)


async def _resume(station: Station) -> None:
    while station.state == State.INTERRUPTED:  # refused while a party is still away
        await _ask(station, Step.RESUME, lambda state: state != State.INTERRUPTED)


async def _ask(station: Station, step: Step, done: Callable[[str], bool]) -> None:
    """Ask for ``step`` and give the session a second to get there."""
    with contextlib.suppress(StationError):
        await station.request_step(step)
    with contextlib.suppress(TimeoutError):
        await station.wait_for_state(done, 1.0)


async def _write(station: Station, signature: dict[str, Any], seconds: float) -> None:
    """Share the signature's strokes one by one over ``seconds``, as a hand would write them."""
    strokes = signature["strokes"]
    for stroke in strokes:
        station.draw_stroke(signature["width"], signature["height"], stroke)
        await asyncio.sleep(seconds / len(strokes))
