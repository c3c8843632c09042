"""CPU time of processes and threads, as Linux's ``/proc`` counts it (for the benchmarks)."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def stat_cpu(stat: str) -> float:
    """User plus system CPU seconds from the text of a ``/proc/…/stat`` file."""
    fields = stat.rsplit(")", 1)[1].split()  # the name in brackets may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) process ``pid`` has used so far."""
    return stat_cpu(Path(f"/proc/{pid}/stat").read_text())
