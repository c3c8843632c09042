"""The event loop a station's engines run on: uvloop where it is installed.

asyncio's own loop reads one datagram per socket per turn of the loop. A station takes in each
peer's pictures and sound on one socket, a hundred and more packets a second; when a turn is
long (a picture drawn, sound encoded, packets sent to three peers) the rest wait in the socket's
buffer. On a busy two-core machine with the whole session on it those buffers held up to a
megabyte, seconds of the call, and the stations saw each other seconds late. uvloop (libuv)
reads up to 32 datagrams a turn: the buffers stayed under 32 kB and the delay under a quarter
of a second (BENCHMARKS.md, "A live call"). Where uvloop is not installed (it does not run on
Windows) asyncio's own loop is used.

The hub keeps asyncio's loop: its load is hundreds of WebSockets, not datagrams, and there its
messages' p99 latency was lower (``bench_hub.py 100 60``, four pairs of runs: 39-53 ms against
50-94 ms on uvloop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # pragma: no cover - not on the platforms this project is tested on
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop of the kind this module chooses."""
    return uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new loop of this kind, as :func:`asyncio.run` does."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
