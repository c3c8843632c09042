"""The ``pleadesk`` command; Qt is imported only by the commands that open windows."""
