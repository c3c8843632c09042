"""The engines' thread: work runs on its loop, and closing it ends the work cleanly."""

from __future__ import annotations

import asyncio
import threading

from desktop.bridge import EngineThread


def test_closing_cancels_the_engines_running_work_and_lets_it_clean_up():
    engine = EngineThread()
    started, cleaned_up = threading.Event(), threading.Event()

    async def relay() -> None:  # like a camera relay, reading until told to stop
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cleaned_up.set()

    running = engine.submit(relay())
    assert started.wait(5)
    engine.stop()
    assert cleaned_up.is_set()
    assert running.cancelled()
    assert engine.loop.is_closed()


def test_submitted_work_runs_on_the_engines_thread():
    engine = EngineThread()

    async def where() -> str:
        return threading.current_thread().name

    try:
        assert engine.submit(where()).result(5) == "engines"
    finally:
        engine.stop()
