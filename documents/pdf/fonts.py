"""Where the shipped CJK font lives, and registering it with reportlab.

Every document is set in one TrueType face, AR PL UMing CN (see ``assets/fonts/README.md``).
A TrueType font is needed because reportlab only embeds glyf outlines; a PDF kept as evidence
must carry its own glyphs instead of relying on the reader's fonts.
"""

from __future__ import annotations

from pathlib import Path

#: Name under which the face is registered with reportlab.
CJK_FONT_NAME = "UMingCN"

_FONT_FILE = "uming-cn.ttf"


class FontMissingError(RuntimeError):
    """The shipped Chinese font file is not where the installation put it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The Chinese document font is missing ({path}). Documents cannot be produced "
            "without it; reinstall PleaDesk or restore assets/fonts/ from the installation."
        )
        self.path = path


def cjk_font_path() -> Path:
    """Return the path of the shipped TrueType CJK font (``assets/fonts/uming-cn.ttf``).

    Resolved from the project root, so it works from a source checkout and from any current
    directory. Raises :class:`FontMissingError` if the file is absent.
    """
    path = Path(__file__).resolve().parents[2] / "assets" / "fonts" / _FONT_FILE
    if not path.is_file():
        raise FontMissingError(path)
    return path


def register_cjk_font() -> str:
    """Register the CJK font with reportlab (once per process) and return its font name.

    reportlab keeps registered fonts in its own process-wide table; we only consult it, so
    parsing the 17 MB font file happens once. The font is embedded as a subset (``TTFont``).
    """
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if CJK_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        # reportlab wraps every stream (fonts, pages, images) in ASCII85 by default, a 7-bit
        # mail relic it encodes in pure Python without its optional C accelerator: a quarter
        # of a second per fingerprint image. Plain deflated binary streams are ordinary PDF.
        rl_config.useA85 = 0
        pdfmetrics.registerFont(TTFont(CJK_FONT_NAME, str(cjk_font_path())))
    return CJK_FONT_NAME


#: Name under which the Latin face of English renderings is registered.
LATIN_FONT_NAME = "PleaDeskVera"


def register_latin_font() -> str:
    """Register the Latin face for English renderings and return its font name.

    Bitstream Vera ships inside reportlab (``reportlab/fonts/Vera.ttf``, Bitstream Vera
    licence), so it is always present and is embedded as a subset like the CJK face.
    """
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if LATIN_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
        pdfmetrics.registerFont(TTFont(LATIN_FONT_NAME, str(path)))
    return LATIN_FONT_NAME
