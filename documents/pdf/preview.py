"""Page images of a PDF for the screens, rendered from the very bytes that will be signed.

The suspect terminal and the lawyer station show pages rendered here from the PDF bytes, and
the result carries those bytes' SHA-256, which the signature pad sends back with the
handwriting: what a signer saw and what gets signed are the same bytes, not a look-alike
preview. Rendering uses poppler's ``pdftoppm`` (Debian ``poppler-utils``) because the installed
PySide6-Essentials has no QtPdf module.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_PAGES = 200
_TIMEOUT = 60.0


class PreviewError(RuntimeError):
    """The PDF could not be turned into page images."""


@dataclass(frozen=True)
class PageImages:
    """The pages of one PDF as PNG images, and the SHA-256 of the PDF they come from."""

    sha256: str
    pages: tuple[bytes, ...]
    dpi: int


def render_pages(
    pdf: bytes, dpi: int = 96, *, first: int = 1, last: int | None = None
) -> PageImages:
    """Render pages ``first``..``last`` (all by default) of ``pdf`` at ``dpi`` to PNG.

    Blocks for a fraction of a second per page: call it from a worker thread.
    """
    if not 24 <= dpi <= 600:
        raise ValueError(f"dpi {dpi} is outside 24..600")
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PreviewError(
            "pdftoppm is not installed; install poppler-utils (sudo apt-get install "
            "poppler-utils) to show documents on screen."
        )
    last = min(last or MAX_PAGES, first + MAX_PAGES - 1)
    with tempfile.TemporaryDirectory(prefix="pleadesk-pages-") as tmp:
        command = [tool, "-r", str(dpi), "-png", "-f", str(first), "-l", str(last), "-", f"{tmp}/p"]
        try:
            subprocess.run(command, input=pdf, capture_output=True, timeout=_TIMEOUT, check=True)
        except subprocess.CalledProcessError as exc:
            message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PreviewError(
                f"The document could not be shown ({message[-1] if message else exc}); it may "
                "be damaged. Ask the prosecutor to present it again."
            ) from None
        except subprocess.TimeoutExpired:
            raise PreviewError("Showing the document took too long; try again.") from None
        # pdftoppm numbers pages with as many digits as the last page number needs.
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        pages = tuple(f.read_bytes() for f in files)
    if not pages:
        raise PreviewError("The document has no pages to show.")
    return PageImages(hashlib.sha256(pdf).hexdigest(), pages, dpi)
