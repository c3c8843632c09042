"""Fingerprints from a reader or the terminal's camera: wire format, bounds, the red print."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from documents.fingerprint import Fingerprint, FingerprintError, fingerprint_from_camera
from documents.samples.handwriting import synthetic_fingerprint


def test_synthetic_fingerprint_has_ridges_and_real_size() -> None:
    fp = synthetic_fingerprint(3)
    assert fp == synthetic_fingerprint(3) and fp != synthetic_fingerprint(4)
    gray = np.asarray(fp.image(), dtype=np.float64)
    centre = gray[120:240, 90:190]
    assert centre.std() > 40  # dark ridges and light valleys, not a blur
    width_mm, height_mm = fp.size_mm
    assert 12 < width_mm < 17 and 15 < height_mm < 21  # a fingertip at 500 dpi


def test_ink_image_is_red_on_transparent() -> None:
    ink = synthetic_fingerprint(3).ink_image()
    assert ink.mode == "RGBA"
    r, g, b, _alpha = ink.getpixel((140, 180))
    assert r > 150 and g < 60 and b < 60
    assert ink.getpixel((0, 0))[3] < 40  # paper shows through outside the print


def test_wire_format_round_trips_through_json_text() -> None:
    fp = synthetic_fingerprint(5)
    data = json.loads(json.dumps(fp.to_json()))
    assert Fingerprint.from_json(data) == fp


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": "scanner"}, "source"),
        ({"finger": "nose"}, "finger"),
        ({"dpi": 5}, "dpi"),
        ({"png_base64": base64.b64encode(b"GIF89a...").decode()}, "not a PNG"),
        ({"png_base64": base64.b64encode(png((20, 20))).decode()}, "20×20"),
        ({"png_base64": base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()}, "damaged"),
        ({"png_base64": "***"}, "base64"),
        ({"extra": 1}, "exactly"),
    ],
)
def test_bad_fingerprints_are_refused(changes: dict, message: str) -> None:
    data = {**synthetic_fingerprint(1).to_json(), **changes}
    with pytest.raises(FingerprintError, match=message):
        Fingerprint.from_json(data)


def test_a_camera_frame_becomes_a_contrasty_print() -> None:
    rng = np.random.default_rng(1)
    frame = (rng.random((480, 640, 3)) * 60 + 90).astype(np.uint8)  # a dull, low-contrast frame
    fp = fingerprint_from_camera(frame)
    assert fp.source == "camera" and fp.finger == "right_index"
    gray = np.asarray(fp.image())
    assert gray.shape == (480, 360)
    assert gray.min() < 30 and gray.max() > 225  # stretched to the full range
    with pytest.raises(FingerprintError):
        fingerprint_from_camera(np.zeros((10, 10), dtype=np.uint8))
