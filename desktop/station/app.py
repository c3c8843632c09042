"""Starting a station: the engine thread, and the party's window wired to its station."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from desktop.application import make_application
from desktop.bridge import EngineThread, GuiBridge
from desktop.station.actions import ActingStation, StationActions
from desktop.station.connect_dialog import ConnectDialog
from desktop.station.live_document import LiveDocument
from desktop.station.model import StationModel, listener_for
from desktop.station.page_view_model import PageViewModel, RunInThread
from desktop.station.signature_pad_model import SignaturePadModel
from desktop.station.window import ROLES, StationWindow
from desktop.texts import DEVICES_NOT_READY, device_problem_text
from recording.media.devices import DevicesUnavailable
from session.machine import SIGNING_ROLES
from session.rtc.network import DIRECT, MediaRoute
from session.station.clocksync import StationClock
from session.station.room import Room, open_room


class StationParts:
    """One party's window and what stands behind it, wired to a station on ``loop`` (the
    engine thread's; a test passes a fake station)."""

    def __init__(
        self,
        role: str,
        station: ActingStation,
        loop: asyncio.AbstractEventLoop,
        bridge: GuiBridge,
        model: StationModel,
        run_in_thread: RunInThread | None = None,
        dpi: int = 110,
    ) -> None:
        self.actions = StationActions(station, loop, bridge)
        self.pages = PageViewModel(bridge, run_in_thread, dpi)
        pad = SignaturePadModel(role) if role in SIGNING_ROLES else None
        self.document = LiveDocument(role, model, self.actions, self.pages, pad)
        self.window = StationWindow(role, model, self.document, self.actions)

    def close(self) -> None:
        """Cancel what the window asked for and stop rendering pages."""
        self.actions.close()
        self.pages.close()


class StationController:
    """Runs one party's station on the engine thread and shows it in a window."""

    def __init__(
        self,
        hub_url: str,
        session_id: str,
        role: str,
        token: str,
        script: float | None,
        case: str,
        ca: Path | None = None,
        agreement: bytes | None = None,
        route: MediaRoute = DIRECT,
        devices: tuple[Room, StationClock] | None = None,
    ) -> None:
        from session.rtc.network import restrict_media_addresses
        from session.station.runner import station_with, take_part

        restrict_media_addresses()
        self.engine = EngineThread()
        self.bridge = GuiBridge()
        self.model = StationModel(self.bridge)
        self.station = station_with(
            hub_url, session_id, role, token, devices, ca=ca, listener=listener_for(self.model),
            route=route,
        )  # fmt: skip
        self.parts = StationParts(role, self.station, self.engine.loop, self.bridge, self.model)
        self.window = self.parts.window
        self.finished = self.engine.submit(take_part(self.station, script, case, agreement))

    def stop(self) -> None:
        """Leave the session, stop what the window asked for, and stop the engine thread."""
        self.parts.close()
        if not self.finished.done():
            self.engine.submit(self.station.leave()).result(5)
        self.engine.stop()


def run_station_window(
    hub_url: str,
    session_id: str,
    role: str,
    token: str,
    script: float | None,
    case: str,
    ca: Path | None = None,
    agreement: bytes | None = None,
    route: MediaRoute = DIRECT,
    devices: tuple[Room, StationClock] | None = None,
) -> int:
    """Show a station window until the session ends or the window is closed (a scripted
    prosecutor presents ``agreement``; media travels by ``route``; the room's devices, or
    synthetic ones)."""
    app = make_application()
    controller = StationController(
        hub_url, session_id, role, token, script, case, ca, agreement, route, devices
    )
    controller.finished.add_done_callback(
        lambda _: controller.bridge.run_on_main(controller.window.close)
    )
    place_window(controller.window, role)
    controller.window.show()
    code = app.exec()
    controller.stop()
    error = controller.finished.exception() if controller.finished.done() else None
    if error is not None:
        print(f"the {role} station stopped: {error!r}", file=sys.stderr)
        return 1
    return code


def place_window(window: StationWindow, role: str) -> None:
    """Fit the window on its screen; on one screen (the demo) the parties' windows cascade, so
    each one's title and state stay in view."""
    index = ROLES.index(role) if role in ROLES else 0
    screen = window.screen().availableGeometry()
    step = 36
    width = min(window.width(), screen.width() - 2 * step)
    height = min(window.height(), screen.height() - 2 * step)
    window.resize(width, height)
    window.move(screen.left() + index * step, screen.top() + index * step)


def run_app() -> int:
    """The desktop app: ask where to connect, open this room's devices, then show the
    station; a device that is missing is said in words, and the app joins nothing."""
    app = make_application()
    dialog = ConnectDialog()
    if dialog.exec() != ConnectDialog.DialogCode.Accepted:
        return 0
    hub, session_id, role, token = dialog.choice()
    clock = StationClock()
    try:
        room = open_room(role, clock.now, camera=None, microphone=None, speaker=None)
    except DevicesUnavailable as exc:
        words = [device_problem_text(p.code, p.message) for p in exc.problems]
        title = QCoreApplication.translate("devices", DEVICES_NOT_READY)
        QMessageBox.critical(None, title, "\n".join(words))
        return 1
    controller = StationController(hub, session_id, role, token, None, "", devices=(room, clock))
    controller.window.show()
    code = app.exec()
    controller.stop()
    room.close()
    return code
