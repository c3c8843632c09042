"""Handwritten signatures: wire format, bounds on untrusted input, synthetic strokes, PNG."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from documents.samples.handwriting import synthetic_signature
from documents.signature import (
    MAX_POINTS,
    MAX_STROKES,
    Signature,
    SignatureError,
    SignaturePoint,
    render_png,
)


def wire(strokes: list, width: int = 400, height: int = 200, role: str = "suspect") -> dict:
    return {"role": role, "width": width, "height": height, "strokes": strokes}


def test_synthetic_signature_is_deterministic_and_inside_the_pad() -> None:
    a = synthetic_signature("suspect", "马海涛", seed=1)
    assert a == synthetic_signature("suspect", "马海涛", seed=1)
    assert a != synthetic_signature("suspect", "马海涛", seed=2)
    assert a.role == "suspect"
    assert 2 <= len(a.strokes) <= MAX_STROKES and 100 <= a.point_count <= MAX_POINTS
    points = [p for s in a.strokes for p in s]
    assert all(0 <= p.x <= a.width and 0 <= p.y <= a.height for p in points)
    # Written in a few seconds, with the pressure varying along the strokes.
    assert 1.0 < a.duration < 20.0
    assert max(p.pressure for p in points) - min(p.pressure for p in points) > 0.3


def test_wire_format_round_trips_through_json_text() -> None:
    sig = synthetic_signature("lawyer", "徐正平", seed=7)
    data = json.loads(json.dumps(sig.to_json()))
    assert set(data) == {"role", "width", "height", "strokes"}
    assert len(data["strokes"][0][0]) == 4
    assert Signature.from_json(data) == sig


@pytest.mark.parametrize(
    "data",
    [
        wire([[[0, 0, 0, 0.5]]] * (MAX_STROKES + 1)),
        wire([[[1, 1, 0, 0.5]] * (MAX_POINTS // 2 + 1)] * 2),
        wire([[[401, 10, 0, 0.5]]]),  # right of the pad
        wire([[[10, -1, 0, 0.5]]]),  # above the pad
        wire([[[10, 10, 0, 0.5]]], width=4097),
        wire([[[10, 10, 0, 1.5]]]),  # pressure over 1
        wire([[[10, 10, 0, float("nan")]]]),
        wire([[[10, 10, 0.5, 0.5], [11, 11, 0.2, 0.5]]]),  # time runs backwards
        wire([[[10, 10, 0, True]]]),
        wire([[[10, 10, 0]]]),
        wire([[]]),
        wire([]),
        wire([[[10, 10, 0, 0.5]]], role=""),
        {"role": "suspect", "width": 400, "height": 200},
        ["not", "an", "object"],
    ],
)
def test_malformed_or_oversized_signatures_are_rejected(data: object) -> None:
    with pytest.raises(SignatureError):
        Signature.from_json(data)


def test_the_hash_of_the_document_shown_travels_with_the_strokes() -> None:
    sig = synthetic_signature("suspect", "马海涛", seed=1)
    bound = Signature(sig.role, sig.width, sig.height, sig.strokes, "ab" * 32)
    data = json.loads(json.dumps(bound.to_json()))
    assert data["document_sha256"] == "ab" * 32
    assert Signature.from_json(data) == bound
    assert "document_sha256" not in sig.to_json()  # unbound: the old wire format
    for wrong in ("AB" * 32, "ab" * 31, 42):
        with pytest.raises(SignatureError, match="SHA-256"):
            Signature.from_json({**data, "document_sha256": wrong})
    with pytest.raises(SignatureError):
        Signature.from_json({**data, "extra": 1})


def test_oversized_error_tells_the_signer_what_to_do() -> None:
    with pytest.raises(SignatureError, match="sign again"):
        Signature.from_json(wire([[[0, 0, 0, 0.5]]] * (MAX_STROKES + 1)))


def png_alpha(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGBA"
    return image.getchannel("A")


def test_png_is_transparent_antialiased_and_scaled() -> None:
    sig = synthetic_signature("suspect", "马海涛", seed=1)
    alpha = png_alpha(render_png(sig, scale=2.0))
    assert alpha.size == (sig.width * 2, sig.height * 2)
    histogram = alpha.histogram()
    assert histogram[0] > 0.8 * sum(histogram)  # mostly transparent paper
    assert histogram[255] > 0  # solid ink
    assert sum(histogram[1:255]) > histogram[255] // 4  # soft (antialiased) edges


def test_png_on_white_background() -> None:
    sig = synthetic_signature("suspect", "马海涛", seed=1)
    image = Image.open(io.BytesIO(render_png(sig, scale=1.0, background=(255, 255, 255))))
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)


def ink_height(alpha: Image.Image, x: int) -> int:
    return sum(1 for y in range(alpha.height) if alpha.getpixel((x, y)) > 127)


def test_line_width_follows_pen_pressure() -> None:
    def line(y: float, pressure: float, t0: float) -> tuple[SignaturePoint, ...]:
        return tuple(SignaturePoint(10 + i * 10, y, t0 + i / 100, pressure) for i in range(30))

    sig = Signature("suspect", 400, 200, (line(50, 1.0, 0.0), line(150, 0.1, 1.0)))
    alpha = png_alpha(render_png(sig, scale=2.0))
    top = alpha.crop((0, 0, alpha.width, alpha.height // 2))
    bottom = alpha.crop((0, alpha.height // 2, alpha.width, alpha.height))
    heavy, light = ink_height(top, 300), ink_height(bottom, 300)
    assert light >= 1
    assert heavy >= 2.5 * light
