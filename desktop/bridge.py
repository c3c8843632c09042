"""The one crossing between the engines' asyncio loop and the Qt GUI thread.

The engines run on one asyncio loop in a dedicated thread (:class:`EngineThread`). Work goes to
it with :meth:`EngineThread.submit`; results and events come back only through
:meth:`GuiBridge.run_on_main`, a queued Qt signal delivered on the GUI thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from session import loop as station_loop


class EngineThread:
    """An asyncio event loop running in its own thread, for the engines."""

    def __init__(self) -> None:
        self.loop = station_loop.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="engines", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run ``coro`` on the engines' loop; returns a thread-safe future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel the engines' tasks still running and let them finish (as :func:`asyncio.run`
        does: a camera relay left pending would be destroyed mid-read), stop the loop, join the
        thread, close the loop."""
        with contextlib.suppress(concurrent.futures.TimeoutError):  # a task that will not end
            self.submit(_cancel_the_rest()).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


async def _cancel_the_rest() -> None:
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class GuiBridge(QObject):
    """Posts callables to the GUI thread; the only way engine events reach widgets."""

    #: Carries a callable to run on the GUI thread (internal; use :meth:`run_on_main`).
    call_posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call_posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def run_on_main(self, func: Callable[..., Any], *args: Any) -> None:
        """Run ``func(*args)`` soon on the GUI thread; safe to call from any thread."""
        self.call_posted.emit(functools.partial(func, *args))

    @staticmethod
    def _run(call: Callable[[], Any]) -> None:
        call()
