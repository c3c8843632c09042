"""How many requests the planner places, against a naive first-fit, and how fast.

    .venv/bin/python bench/bench_planner.py [RUNS]

Prints, for the district centre's design day (80 sessions of 12 minutes, 3 minutes of
change-over, 10 rooms, 10 prosecutors, 10 lawyers, 2 hours), for eight days with scarce people
(5 prosecutors and 4 duty lawyers on random duties, 80 requests, half naming their prosecutor),
and for a week of 1,000 requests over 10 rooms: sessions placed by the planner, by the planner
without its repair step, and by the naive first-fit; and the planner's time (best and median of
RUNS, default 5), wall clock and CPU (the latter ignores other load on the machine).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

from session.scheduling import naive, planner, scenarios
from session.scheduling.model import Plan, Resources, SessionRequest

Problem = tuple[Resources, list[SessionRequest]]


def timed(make: Callable[[], Plan], runs: int) -> tuple[Plan, list[float], list[float]]:
    """The plan, and the wall and CPU seconds of each run."""
    walls, cpus = [], []
    plan = make()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        plan = make()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return plan, walls, cpus


def row(name: str, problem: Problem, runs: int) -> tuple[int, int, int]:
    resources, requests = problem
    smart, walls, cpus = timed(lambda: planner.plan(resources, requests), runs)
    greedy = planner.plan(resources, requests, repair=False)
    simple = naive.first_fit(resources, requests)
    wall = f"{min(walls) * 1000:7.1f} {statistics.median(walls) * 1000:7.1f}"
    cpu = f"{min(cpus) * 1000:7.1f} {statistics.median(cpus) * 1000:7.1f}"
    print(
        f"{name:<28} {len(requests):>5} {len(smart.bookings):>8} {len(greedy.bookings):>10}"
        f" {len(simple.bookings):>6}   {wall}   {cpu}"
    )
    return len(smart.bookings), len(greedy.bookings), len(simple.bookings)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(
        f"{'problem':<28} {'asked':>5} {'planner':>8} {'no repair':>10} {'naive':>6}"
        f"   {'wall ms best/median':>15}   {'cpu ms best/median':>15}"
    )
    row("design day, any prosecutor", scenarios.tight_day(), runs)
    row("design day, named prosecutor", scenarios.tight_day(named_prosecutors=True), runs)
    totals = [0, 0, 0]
    for seed in range(1, 9):
        placed = row(f"scarce people, seed {seed}", scenarios.scarce_day(seed), runs)
        totals = [t + p for t, p in zip(totals, placed, strict=True)]
    print(
        f"{'scarce people, 8 days':<28} {8 * 80:>5} {totals[0]:>8} {totals[1]:>10} {totals[2]:>6}"
        f"   planner / naive = {totals[0] / totals[2]:.2f}"
    )
    row("week, 1000 requests", scenarios.week(1000), runs)


if __name__ == "__main__":
    main()
