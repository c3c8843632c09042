"""The station window: what a party sees as the session moves, in Chinese first."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from av import VideoFrame
from station_fakes import FakeStation, station_parts, update

from desktop.application import install_translation
from desktop.bridge import EngineThread, GuiBridge
from session import messages as m


@pytest.fixture
def chinese(qapp):
    """The interface in Chinese for one test (translators are process-wide)."""
    translator = install_translation(qapp, "zh_CN")
    assert translator is not None, "run ./dev setup: the compiled translations are missing"
    yield
    qapp.removeTranslator(translator)


@pytest.fixture
def station():
    return FakeStation()


@pytest.fixture
def window(qtbot, chinese, station):
    with station_parts("prosecutor", station) as (parts, model):
        qtbot.addWidget(parts.window)
        yield parts.window, model


def test_the_window_speaks_chinese_and_names_the_party(window):
    win, _ = window
    assert "检察官" in win.windowTitle()
    assert win.state_text.text() == "正在连接"
    assert win.document_panel.load_button.text() == "载入具结书…"


def test_the_recording_light_is_on_only_while_recording(window, qtbot):
    win, model = window
    model.state_changed_from_engine(update("room_ready"))
    qtbot.waitUntil(lambda: win.state_text.text() == "各方已到场")
    assert "未录制" in win.recording_light.text()
    model.state_changed_from_engine(update("recording"))
    qtbot.waitUntil(lambda: "录制中" in win.recording_light.text())


def test_the_prosecutor_button_asks_for_the_lawful_next_step(window, station, qtbot):
    win, model = window
    model.state_changed_from_engine(update("recording"))
    qtbot.waitUntil(lambda: win.next_button.text() == "告知录音录像")
    win.next_button.click()
    qtbot.waitUntil(lambda: station.sent == [("step", "announce")])


def test_an_interruption_shows_its_reason(window, qtbot):
    win, model = window
    model.state_changed_from_engine(update("interrupted", "suspect disconnected"))
    qtbot.waitUntil(lambda: "suspect disconnected" in win.state_text.text())
    assert win.next_button.text() == "恢复会见"


def test_a_refusal_is_shown_to_the_user(window, qtbot):
    win, model = window
    model.refused_from_engine(m.Refused("no_agreement", "请先载入具结书 (load the agreement)"))
    qtbot.waitUntil(lambda: "请先载入具结书" in win.statusBar().currentMessage())


def test_what_cannot_be_sent_yet_is_said_in_words(window, station, qtbot):
    win, _ = window
    station.sharing = False  # the data channel is not open yet
    win.hand_button.click()
    assert "尚未连接" in win.statusBar().currentMessage()
    assert station.sent == []
    assert not win.hand_button.isChecked() and win.hand_button.text() == "举手"


def test_a_raised_hand_shows_on_that_partys_tile(window, station, qtbot):
    win, model = window
    win.show()
    qtbot.waitExposed(win)
    assert not win.tiles["suspect"].hand_raised
    model.hand_raised_from_engine(m.RaiseHand(True, "suspect"))
    qtbot.waitUntil(lambda: win.tiles["suspect"].hand.isVisible())
    assert not win.tiles["lawyer"].hand_raised
    assert "举手" in win.tiles["suspect"].hand.text()
    model.hand_raised_from_engine(m.RaiseHand(False, "suspect"))
    qtbot.waitUntil(lambda: not win.tiles["suspect"].hand_raised)


def test_raising_ones_own_hand_tells_the_others(window, station, qtbot):
    win, _ = window
    win.hand_button.click()
    assert win.hand_button.text() == "放下手"
    win.hand_button.click()
    qtbot.waitUntil(lambda: station.of_kind("hand") == [("hand", True), ("hand", False)])
    assert win.hand_button.text() == "举手"


def test_a_party_leaving_takes_its_hand_down(window, qtbot):
    win, model = window
    model.hand_raised_from_engine(m.RaiseHand(True, "lawyer"))
    qtbot.waitUntil(lambda: win.tiles["lawyer"].hand_raised)
    model.peer_changed_from_engine("lawyer", False)
    qtbot.waitUntil(lambda: not win.tiles["lawyer"].hand_raised)
    assert "已离开" in win.tiles["lawyer"].picture.text()


def test_pictures_from_the_engine_thread_reach_the_other_partys_tile(window, qtbot):
    win, model = window
    image = np.zeros((480, 640, 3), np.uint8)
    image[:, :, 1] = 200
    frame = VideoFrame.from_ndarray(image, format="rgb24")
    worker = threading.Thread(target=model.frame, args=("suspect", "video", frame))
    worker.start()
    worker.join()
    picture = win.tiles["suspect"].picture
    qtbot.waitUntil(lambda: picture.pixmap() is not None and not picture.pixmap().isNull())
    pixel = picture.pixmap().toImage().pixelColor(10, 10)
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


@pytest.mark.parametrize(
    ("code", "chinese"),
    [("no_camera", "未找到摄像头"), ("no_microphone", "未找到麦克风"),
     ("no_speaker", "未找到扬声器"), ("camera_failed", "摄像头无法打开"),
     ("no_sound_library", "libportaudio2")],
)  # fmt: skip
def test_device_problems_are_told_in_chinese(qapp, code, chinese):
    from desktop.application import install_translation
    from desktop.texts import device_problem_text

    assert "Connect it" in device_problem_text("no_camera", "x")  # English without one
    translator = install_translation(qapp, "zh_CN")
    try:
        assert chinese in device_problem_text(code, "the device's own words")
        assert device_problem_text("unknown_code", "the device's own words") == (
            "the device's own words"
        )
    finally:
        qapp.removeTranslator(translator)
