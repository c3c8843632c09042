"""The station window: what a party sees as the session moves, in Chinese first."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from av import VideoFrame

from desktop.app import install_translation
from desktop.bridge import EngineThread, GuiBridge
from desktop.station_model import StationModel
from desktop.station_window import StationWindow
from session import messages as m


@pytest.fixture
def chinese(qapp):
    """The interface in Chinese for one test (translators are process-wide)."""
    translator = install_translation(qapp, "zh_CN")
    assert translator is not None, "run ./dev setup: the compiled translations are missing"
    yield
    qapp.removeTranslator(translator)


@pytest.fixture
def window(qtbot, chinese):
    bridge = GuiBridge()
    model = StationModel(bridge)
    asked: list[str] = []
    window = StationWindow("prosecutor", model, asked.append)
    qtbot.addWidget(window)
    return window, model, asked


def update(state: str, reason: str = "") -> m.StateUpdate:
    return m.StateUpdate(state, "x", "y", "hub", 0.0, reason)


def test_the_window_speaks_chinese_and_names_the_party(window):
    win, _, _ = window
    assert "检察官" in win.windowTitle()
    assert win.state_text.text() == "正在连接"


def test_the_recording_light_is_on_only_while_recording(window, qtbot):
    win, model, _ = window
    model.state_changed_from_engine(update("room_ready"))
    qtbot.waitUntil(lambda: win.state_text.text() == "各方已到场")
    assert "未录制" in win.recording_light.text()
    model.state_changed_from_engine(update("recording"))
    qtbot.waitUntil(lambda: "录制中" in win.recording_light.text())


def test_the_prosecutor_button_asks_for_the_lawful_next_step(window, qtbot):
    win, model, asked = window
    model.state_changed_from_engine(update("recording"))
    qtbot.waitUntil(lambda: win.next_button.text() == "告知录音录像")
    win.next_button.click()
    assert asked == ["announce"]


def test_an_interruption_shows_its_reason(window, qtbot):
    win, model, _ = window
    model.state_changed_from_engine(update("interrupted", "suspect disconnected"))
    qtbot.waitUntil(lambda: "suspect disconnected" in win.state_text.text())
    assert win.next_button.text() == "恢复会见"


def test_a_refusal_is_shown_to_the_user(window, qtbot):
    win, model, _ = window
    model.refused_from_engine(m.Refused("illegal_step", "begin_hearing is not allowed now"))
    qtbot.waitUntil(lambda: "not allowed" in win.statusBar().currentMessage())


def test_pictures_from_the_engine_thread_reach_the_other_partys_tile(window, qtbot):
    win, model, _ = window
    image = np.zeros((480, 640, 3), np.uint8)
    image[:, :, 1] = 200
    frame = VideoFrame.from_ndarray(image, format="rgb24")
    worker = threading.Thread(target=model.frame, args=("suspect", "video", frame))
    worker.start()
    worker.join()
    qtbot.waitUntil(
        lambda: (
            win.tiles["suspect"].pixmap() is not None and not win.tiles["suspect"].pixmap().isNull()
        )
    )
    pixel = win.tiles["suspect"].pixmap().toImage().pixelColor(10, 10)
    assert pixel.green() > 150 and pixel.red() < 50


def test_the_bridge_delivers_thousands_of_cross_thread_calls_in_order(qtbot):
    bridge = GuiBridge()
    engine = EngineThread()
    received: list[int] = []
    try:
        for i in range(2000):
            engine.loop.call_soon_threadsafe(bridge.run_on_main, received.append, i)
        qtbot.waitUntil(lambda: len(received) == 2000, timeout=10_000)
    finally:
        engine.stop()
    assert received == list(range(2000))
