"""The composite picture: who is where, captions, "no signal", the time band."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFont
from repo import REPO

from recording.media import yuv
from recording.recorder.compositor import (
    ROLE_CAPTIONS_ZH,
    Compositor,
    Layout,
    clock_text,
    elapsed_text,
    render_label,
)

FONT_CANDIDATES = (
    REPO / "assets" / "fonts" / "uming-cn.ttf",
    Path("/usr/share/fonts/truetype/lxgw/LXGWWenKai-Regular.ttf"),
    Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
)
ROLES = ("suspect", "prosecutor", "lawyer")
COLOURS = {"suspect": (0, 0, 200), "prosecutor": (0, 200, 0), "lawyer": (200, 0, 0)}
NO_SIGNAL_GREY = 48


def cjk_font() -> Path:
    """The project's CJK font, or a system one; skips the test if there is none."""
    for candidate in FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    pytest.skip("no CJK TrueType font installed")


def solid(colour: tuple[int, int, int], w: int = 640, h: int = 480) -> np.ndarray:
    return np.full((h, w, 3), colour, np.uint8)


def centre(picture: np.ndarray, rect) -> np.ndarray:
    return picture[rect.y + rect.h // 2, rect.x + rect.w // 2].astype(int)


def close_to(pixel: np.ndarray, colour: tuple[int, int, int], tolerance: int = 8) -> bool:
    return bool(np.all(np.abs(pixel - np.array(colour)) <= tolerance))


def compose_bgr(compositor: Compositor, pictures, elapsed=0.0, wall=1_795_000_000.0):
    return yuv.to_bgr(compositor.compose(pictures, elapsed, wall))


@pytest.mark.parametrize("roles", [ROLES, ("prosecutor", "lawyer", "suspect")])
def test_suspect_is_the_main_picture_and_the_others_are_tiles(roles):
    compositor = Compositor(roles, label_font=None)
    layout = compositor.layout
    picture = compose_bgr(compositor, {role: solid(COLOURS[role]) for role in roles})
    assert picture.shape == (720, 1280, 3)
    assert layout.main_role == "suspect"
    assert layout.main.w * layout.main.h > 3 * sum(r.w * r.h for _, r in layout.tiles)
    assert close_to(centre(picture, layout.main), COLOURS["suspect"])
    for role, rect in layout.tiles:
        assert (rect.w, rect.h) == (320, 240)
        assert close_to(centre(picture, rect), COLOURS[role]), role


def test_pictures_keep_their_aspect_ratio():
    compositor = Compositor(ROLES, label_font=None)
    main = compositor.layout.main
    wide = compose_bgr(compositor, {"suspect": solid((0, 0, 200), 1280, 720)})
    # 16:9 in the 4:3-ish main area: full width, bars above and below.
    assert close_to(wide[main.h // 2, 4], (0, 0, 200))
    assert wide[10, main.w // 2].max() < 40
    assert wide[main.h - 10, main.w // 2].max() < 40
    tall = compose_bgr(compositor, {"suspect": solid((0, 0, 200), 480, 640)})
    # 3:4 portrait: full height, bars left and right.
    assert close_to(tall[main.h // 2, main.w // 2], (0, 0, 200))
    assert tall[main.h // 2, 40].max() < 40


def test_party_without_picture_shows_the_no_signal_card():
    compositor = Compositor(ROLES, label_font=cjk_font())
    picture = compose_bgr(compositor, {"suspect": solid(COLOURS["suspect"]), "lawyer": None})
    for role, rect in compositor.layout.tiles:
        tile = picture[rect.y + 30 : rect.y + rect.h, rect.x : rect.x + rect.w]
        # Mostly the card's grey, with the bright "无信号 / no signal" text across the middle.
        assert abs(int(np.median(tile)) - NO_SIGNAL_GREY) <= 4, role
        middle = tile[tile.shape[0] // 2 - 40 : tile.shape[0] // 2 + 20]
        assert (middle.min(axis=2) > 200).sum() > 100, role


def test_tiles_carry_their_chinese_captions():
    font_path = cjk_font()
    compositor = Compositor(ROLES, label_font=font_path)
    picture = compose_bgr(compositor, {role: solid(COLOURS[role]) for role in ROLES})
    face = ImageFont.truetype(str(font_path), 20)
    missing_glyphs = render_label("\U000f0000" * 3, face)
    for role, rect in compositor.layout.tiles:
        label = render_label(ROLE_CAPTIONS_ZH[role], face)
        # The font really has the glyphs (not the "missing glyph" boxes) ...
        assert label.shape != missing_glyphs.shape or not np.array_equal(label, missing_glyphs)
        # ... and the caption sits in the tile's corner, over the party's picture.
        h, w = label.shape[0] // 2 * 2, label.shape[1] // 2 * 2
        shown = picture[rect.y : rect.y + h, rect.x : rect.x + w].astype(int)
        assert np.abs(shown - label[:h, :w]).mean() < 6, role


def test_without_a_font_captions_fall_back_to_role_names():
    compositor = Compositor(("suspect", "prosecutor", "observer"), label_font=None)
    picture = compose_bgr(compositor, {})
    for _, rect in compositor.layout.tiles:
        corner = picture[rect.y : rect.y + 24, rect.x : rect.x + 80]
        assert (corner.min(axis=2) > 200).sum() > 30


def test_time_band_shows_changing_time_without_covering_the_suspect():
    compositor = Compositor(ROLES, label_font=None)
    pictures = {role: solid(COLOURS[role]) for role in ROLES}
    first = compose_bgr(compositor, pictures, elapsed=754.0, wall=1_795_000_000.000)
    later = compose_bgr(compositor, pictures, elapsed=755.0, wall=1_795_000_001.040)
    changed_rows = np.flatnonzero(np.any(first != later, axis=(1, 2)))
    band = compositor.layout.band
    assert changed_rows.size > 0
    assert changed_rows.min() >= band.y  # the main picture above the band is untouched
    band_pixels = first[band.y : band.y + band.h, band.x : band.x + band.w]
    assert (band_pixels.min(axis=2) > 200).sum() > 500  # white text on the dark band


def test_clock_and_elapsed_text_formats():
    wall = 1_795_000_987.12
    expected = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_795_000_987)) + ".120"
    assert clock_text(wall) == expected
    assert len(clock_text(0.0)) == len("2026-11-22 14:03:07.120")
    assert elapsed_text(754.99) == "00:12:34"
    assert elapsed_text(0) == "00:00:00"
    assert elapsed_text(100 * 3600 + 61) == "100:01:01"


def test_many_parties_share_the_right_column():
    roles = ("suspect", "prosecutor", "lawyer", "guardian", "interpreter")
    layout = Layout.plan(roles, (1280, 720))
    assert [role for role, _ in layout.tiles] == list(roles[1:])
    bottoms = [rect.y + rect.h for _, rect in layout.tiles]
    assert max(bottoms) <= 720
    assert all(rect.h == 180 for _, rect in layout.tiles)


def test_a_missing_font_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="label font not found"):
        Compositor(ROLES, label_font=tmp_path / "nope.ttf")
