"""The one QApplication of every PleaDesk window: its language and its font.

Stations, the clerk's desk and the staff's day view all start through :func:`make_application`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from documents.pdf.fonts import cjk_font_path

TRANSLATIONS = Path(__file__).resolve().parents[1] / "assets" / "translations"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, speaking Chinese unless ``PLEADESK_LANG`` says otherwise, with the
    shipped CJK font registered (a machine without a Chinese font would show boxes)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv or sys.argv)
    QFontDatabase.addApplicationFont(str(cjk_font_path()))
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
