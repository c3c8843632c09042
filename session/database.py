"""The hub's database: one SQLite file (or ``:memory:``), shared by its stores (sessions,
accounts, the schedule), each with an engine of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool


def _write_ahead(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead mode, synced at checkpoints: a state change costs about a
    millisecond instead of twenty on a busy disk, and the file stays consistent after a crash.
    What must survive a power cut is in the audit trail too, which syncs every entry."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_engine(path: Path | str) -> Engine:
    """An engine on the SQLite file ``path``; ``:memory:`` is one shared connection (or each
    thread would see its own empty database)."""
    if str(path) == ":memory:":
        return create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _write_ahead)
    return engine
