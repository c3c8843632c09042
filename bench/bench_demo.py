"""Time the demo session stage by stage, with the CPU the hub and the stations use.

Runs ``pleadesk demo --headless`` RUNS times (default 3) with SECONDS of session (default 20)
and prints each stage's wall time and CPU seconds, and the whole command's wall time.

    .venv/bin/python bench/bench_demo.py [RUNS] [SECONDS]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(seconds: float) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as folder:
        out, home = Path(folder) / "out", Path(folder) / "home"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "desktop.cli.main", "demo", "--headless", "--out", str(out),
             "--seconds", str(seconds)],
            env={**os.environ, "PLEADESK_HOME": str(home)}, check=True, capture_output=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        return wall, json.loads((out / "summary.json").read_text())


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    results = [run_once(seconds) for _ in range(runs)]
    walls = [wall for wall, _ in results]
    median = statistics.median(walls)
    print(f"demo --seconds {seconds:g}, {runs} runs: whole command median {median:.1f} s, "
          f"min {min(walls):.1f}, max {max(walls):.1f}")  # fmt: skip
    length = statistics.median(summary["duration_s"] for _, summary in results)
    print(f"recording length median {length:.1f} s")
    print(f"{'stage':<10} {'wall s':>8} {'hub CPU s':>10} {'stations CPU s':>15}")
    for stage in results[0][1]["stages"]:
        rows = [summary["stages"][stage] for _, summary in results]
        print(
            f"{stage:<10} {statistics.median(r['seconds'] for r in rows):8.2f} "
            f"{statistics.median(r['cpu_seconds_hub'] for r in rows):10.2f} "
            f"{statistics.median(r['cpu_seconds_stations'] for r in rows):15.2f}"
        )


if __name__ == "__main__":
    main()
