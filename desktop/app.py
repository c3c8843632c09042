"""Starting the desktop app: translations, the engine thread, and a station window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop.bridge import EngineThread, GuiBridge
from desktop.connect_dialog import ConnectDialog
from desktop.station_model import StationModel, listener_for
from desktop.station_window import ROLES, StationWindow

TRANSLATIONS = Path(__file__).resolve().parents[1] / "assets" / "translations"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, speaking Chinese unless ``PLEADESK_LANG`` says otherwise."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    install_translation(app, os.environ.get("PLEADESK_LANG", "zh_CN"))
    return app


def install_translation(app: QApplication, language: str) -> QTranslator | None:
    """Show the user interface in ``language`` (English needs none); returns the translator
    installed, which ``app.removeTranslator`` takes away again."""
    translator = QTranslator(app)
    if not translator.load(QLocale(language), "pleadesk", "_", str(TRANSLATIONS)):
        return None
    app.installTranslator(translator)
    return translator


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
    ) -> None:
        from session.network import restrict_media_addresses
        from session.runner import synthetic_station, take_part

        restrict_media_addresses()
        self.engine = EngineThread()
        self.bridge = GuiBridge()
        self.model = StationModel(self.bridge)
        self.station = synthetic_station(
            hub_url, session_id, role, token, ca=ca, listener=listener_for(self.model)
        )
        self.window = StationWindow(role, self.model, self.request_step)
        self.finished = self.engine.submit(take_part(self.station, script, case))

    def request_step(self, step: str) -> None:
        """The user asked for ``step``."""
        self.engine.submit(self.station.request_step(step))

    def stop(self) -> None:
        """Leave the session and stop the engine thread."""
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
) -> int:
    """Show a station window until the session ends or the window is closed."""
    app = make_application()
    controller = StationController(hub_url, session_id, role, token, script, case, ca)
    controller.finished.add_done_callback(
        lambda _: controller.bridge.run_on_main(controller.window.close)
    )
    # Side by side, so that on one screen (the demo) no party hides another.
    controller.window.move(40 + ROLES.index(role) * 680 if role in ROLES else 40, 40)
    controller.window.show()
    code = app.exec()
    controller.stop()
    error = controller.finished.exception() if controller.finished.done() else None
    if error is not None:
        print(f"the {role} station stopped: {error!r}", file=sys.stderr)
        return 1
    return code


def run_app() -> int:
    """The desktop app: ask where to connect, then show the station."""
    app = make_application()
    dialog = ConnectDialog()
    if dialog.exec() != ConnectDialog.DialogCode.Accepted:
        return 0
    hub, session_id, role, token = dialog.choice()
    controller = StationController(hub, session_id, role, token, None, "")
    controller.window.show()
    code = app.exec()
    controller.stop()
    return code
