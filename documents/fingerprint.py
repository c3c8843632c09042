"""A fingerprint (捺指印) taken at the suspect terminal, from a reader or the camera.

Chinese practice has the suspect press a fingerprint beside the signature (SPP Rules art. 188
for records; customary on the 具结书). The terminal delivers a grayscale image: a fingerprint
reader gives one directly, a camera frame is cropped and its contrast normalised
(:func:`fingerprint_from_camera`). The image goes into the signed PDF tinted red like an ink pad
impression, and the original image is kept in the record.

Wire format (``to_json`` / ``from_json``)::

    {"role": str, "finger": str, "source": "reader" | "camera" | "synthetic",
     "dpi": int, "png_base64": str}
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PNG_BYTES = 400_000
MIN_SIDE, MAX_SIDE = 64, 1024
SOURCES = frozenset({"reader", "camera", "synthetic"})
FINGERS = frozenset(
    f"{hand}_{finger}"
    for hand in ("right", "left")
    for finger in ("thumb", "index", "middle", "ring", "little")
)
_INK_PAD_RED = (200, 16, 24)


class FingerprintError(ValueError):
    """A fingerprint image from a terminal or a file is malformed or out of bounds."""


@dataclass(frozen=True)
class Fingerprint:
    """One fingerprint impression: a grayscale PNG (dark ridges on light), and where from."""

    role: str
    finger: str
    source: str
    png: bytes
    dpi: int = 500

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise FingerprintError(f"Unknown fingerprint source {self.source!r}.")
        if self.finger not in FINGERS:
            raise FingerprintError(f"Unknown finger {self.finger!r} (e.g. right_index).")
        if not isinstance(self.role, str) or not 0 < len(self.role) <= 32:
            raise FingerprintError(f"The role {self.role!r} is not valid.")
        if not isinstance(self.dpi, int) or not 100 <= self.dpi <= 2000:
            raise FingerprintError(f"Resolution {self.dpi!r} dpi is not plausible.")
        if not isinstance(self.png, bytes) or len(self.png) > MAX_PNG_BYTES:
            raise FingerprintError(
                f"The fingerprint image is missing or larger than {MAX_PNG_BYTES} bytes."
            )
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise FingerprintError("The fingerprint image is not a PNG; capture it again.")
        try:
            with Image.open(io.BytesIO(self.png)) as image:
                image.load()
                size = image.size
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise FingerprintError(f"The fingerprint image is damaged ({exc}).") from None
        if not all(MIN_SIDE <= side <= MAX_SIDE for side in size):
            raise FingerprintError(
                f"The fingerprint image is {size[0]}×{size[1]} pixels; "
                f"each side must be {MIN_SIDE} to {MAX_SIDE}."
            )

    def image(self) -> Image.Image:
        """The impression as an 8-bit grayscale Pillow image."""
        return Image.open(io.BytesIO(self.png)).convert("L")

    def ink_image(self) -> Image.Image:
        """The impression as red ink on a transparent background (RGBA), for the PDF."""
        gray = self.image()
        alpha = ImageOps.invert(gray)
        image = Image.new("RGBA", gray.size, (*_INK_PAD_RED, 0))
        image.putalpha(alpha)
        return image

    @property
    def size_mm(self) -> tuple[float, float]:
        """The impression's real size in millimetres, from the resolution."""
        width, height = self.image().size
        return width / self.dpi * 25.4, height / self.dpi * 25.4

    def to_json(self) -> dict[str, Any]:
        """Return the wire format (see the module docstring)."""
        return {
            "role": self.role,
            "finger": self.finger,
            "source": self.source,
            "dpi": self.dpi,
            "png_base64": base64.b64encode(self.png).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: Any) -> Fingerprint:
        """Parse and validate the wire format; raise :class:`FingerprintError` if wrong."""
        keys = {"role", "finger", "source", "dpi", "png_base64"}
        if not isinstance(data, dict) or set(data) != keys:
            raise FingerprintError(f"The fingerprint data must have exactly {sorted(keys)}.")
        encoded = data["png_base64"]
        if not isinstance(encoded, str) or len(encoded) > MAX_PNG_BYTES * 4 // 3 + 4:
            raise FingerprintError("The fingerprint image is missing or too large.")
        try:
            png = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise FingerprintError("The fingerprint image is not valid base64.") from None
        return cls(data["role"], data["finger"], data["source"], png, data["dpi"])


def fingerprint_from_camera(
    rgb: np.ndarray, *, role: str = "suspect", finger: str = "right_index", dpi: int = 500
) -> Fingerprint:
    """Turn a camera frame of a fingertip (H×W×3, uint8) into a fingerprint impression.

    Takes the centre of the frame (where the terminal's guide box is), converts it to gray,
    stretches the contrast and makes ridges dark, as a reader would deliver them.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise FingerprintError("The camera frame must be an H×W×3 array of 8-bit RGB.")
    h, w = rgb.shape[:2]
    side_h, side_w = min(h, 480), min(w, 360)
    top, left = (h - side_h) // 2, (w - side_w) // 2
    crop = Image.fromarray(np.ascontiguousarray(rgb[top : top + side_h, left : left + side_w]))
    gray = ImageOps.autocontrast(crop.convert("L"), cutoff=2)
    gray.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    gray.save(buffer, format="PNG", optimize=True)
    return Fingerprint(role, finger, "camera", buffer.getvalue(), dpi)
