"""Where the project's own files are, for tests that read them."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The schedule's example day (the format of ``pleadesk schedule plan``).
DAY_EXAMPLE = REPO / "session" / "scheduling" / "examples" / "day.json"
