"""PleaDesk desktop: the Qt windows, and the command line that composes the engines.

What lives here:

- ``application``: the one QApplication (language, font); ``bridge``: the one way back to the
  GUI thread; ``texts``: role and state names as users read them.
- ``station/``: a party's station window and its view-models.
- ``clerk/``: the evidence clerk's desk; ``schedule/``: the staff's day view.
- ``cli/``: the ``pleadesk`` command; its modules import Qt only inside the commands that open
  windows. ``demo/``: ``pleadesk demo``.

The only package that imports PySide6; it may import every engine.
"""
