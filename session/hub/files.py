"""Where a hub keeps a session's files in its recordings folder.

The composite recording is ``<session id>.mkv`` (later segments beside it, see
``recording.recorder.segments``), and the agreement as the prosecutor presented it is
``<session id>.agreement.pdf``: the very bytes every signer was shown.
"""

from __future__ import annotations

from pathlib import Path


def recording_file(recordings: Path, session_id: str) -> Path:
    """The first file of the session's composite recording."""
    return recordings / f"{session_id}.mkv"


def agreement_file(recordings: Path, session_id: str) -> Path:
    """The agreement's PDF as it was presented in the session."""
    return recordings / f"{session_id}.agreement.pdf"
