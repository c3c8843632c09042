"""The day view: bookings drawn by state, drag to move with conflict feedback, and the
提押/还押 buttons recording their times."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from repo import DAY_EXAMPLE

from desktop.application import make_application
from desktop.schedule.day_view import DayView
from desktop.schedule.day_view_model import DayViewModel
from desktop.schedule.grid import PIXELS_PER_MINUTE, ROW_HEIGHT, STATE_COLOURS
from session.scheduling import io, planner
from session.scheduling.store import BookingState, ScheduleStore

EXAMPLE = DAY_EXAMPLE


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 56, 30)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def view(qtbot, tmp_path):
    make_application()
    resources, requests = io.load_input(EXAMPLE)
    clock = Clock()
    store = ScheduleStore(tmp_path / "schedule.sqlite3", clock)
    store.save_plan(resources, requests, planner.plan(resources, requests))
    window = DayView(DayViewModel(store, officer="G01"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, store, clock
    store.close()


def colour_at(window: DayView, point: QPoint) -> str:
    return window.grid.grab().toImage().pixelColor(point).name()


def fill_point(rect) -> QPoint:
    """A point inside a block clear of its text."""
    return rect.bottomRight() - QPoint(4, 4)


def drag(qtbot, grid, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=start)
    middle = start + (end - start) / 2
    qtbot.mouseMove(grid, middle)
    qtbot.mouseMove(grid, end)


def test_every_booking_of_the_day_is_a_block_in_its_rooms_row(view):
    window, store, _ = view
    grid = window.grid
    assert "8" in window.day_label.text() and "2026-03-02" in window.day_label.text()
    for stored in store.bookings():
        rect = grid.block_rect(stored.booking.request)
        assert grid.room_at(rect.center().y()) == stored.booking.room
        assert grid.time_at(rect.left()) == stored.booking.start
        assert colour_at(window, fill_point(rect)) == STATE_COLOURS[BookingState.BOOKED].name()


def test_bringing_in_and_returning_record_the_times_and_recolour_the_block(view, qtbot):
    window, store, clock = view
    grid = window.grid
    rect = grid.block_rect("Q04")
    assert not window.take_out_button.isEnabled()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.details["case"].text() == "南检刑认〔2026〕104号"
    assert window.take_out_button.isEnabled() and not window.return_button.isEnabled()

    qtbot.mouseClick(window.take_out_button, Qt.MouseButton.LeftButton)
    custody = store.booking("Q04").custody
    assert (custody.taken_out_at, custody.taken_out_by) == (datetime(2026, 3, 2, 8, 56, 30), "G01")
    assert window.details["taken_out"].text() == "08:56:30"
    assert not window.take_out_button.isEnabled() and window.return_button.isEnabled()
    assert colour_at(window, fill_point(rect)) == STATE_COLOURS[BookingState.BROUGHT_IN].name()
    assert "08:56" in window.statusBar().currentMessage()

    clock.now += timedelta(minutes=20)
    qtbot.mouseClick(window.return_button, Qt.MouseButton.LeftButton)
    assert store.booking("Q04").custody.returned_at == datetime(2026, 3, 2, 9, 16, 30)
    assert store.booking("Q04").state is BookingState.RETURNED
    assert window.details["returned"].text() == "09:16:30"
    assert not window.return_button.isEnabled()


def test_dragging_to_a_free_place_moves_the_booking(view, qtbot):
    window, store, _ = view
    grid = window.grid
    before = store.booking("Q07").booking  # R02 at 09:00, 12 minutes, with P01 and L02
    start = grid.block_rect("Q07").center()
    # 90 minutes later, same row: R02, P01 and L02 are all free at 10:30.
    end = start + QPoint(90 * PIXELS_PER_MINUTE, 0)
    feedback: list[str] = []
    grid.drag_feedback.connect(feedback.append)
    drag(qtbot, grid, start, end)
    assert feedback and feedback[-1] == ""
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=end)
    after = store.booking("Q07").booking
    assert (after.room, after.start) == ("R02", before.start + timedelta(minutes=90))
    assert grid.time_at(grid.block_rect("Q07").left()) == after.start


def test_dragging_onto_a_clash_names_it_and_changes_nothing(view, qtbot):
    window, store, _ = view
    grid = window.grid
    before = store.booking("Q07").booking
    start = grid.block_rect("Q07").center()
    end = start - QPoint(0, ROW_HEIGHT)  # up one row: R01 at 09:00 holds Q04
    feedback: list[str] = []
    grid.drag_feedback.connect(feedback.append)
    drag(qtbot, grid, start, end)
    assert "Q04" in feedback[-1] and "R01" in feedback[-1]
    assert "Q04" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window._model.refused) as refused:
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=end)
    assert "Q04" in refused.args[0]
    assert store.booking("Q07").booking == before


def test_a_brought_in_session_cannot_be_dragged(view, qtbot):
    window, store, _ = view
    grid = window.grid
    store.take_out("Q07")
    window._model.refresh()
    before = store.booking("Q07").booking
    start = grid.block_rect("Q07").center()
    drag(qtbot, grid, start, start + QPoint(60 * PIXELS_PER_MINUTE, 0))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=start + QPoint(240, 0))
    assert store.booking("Q07").booking == before
