"""A naive first-fit, the yardstick for the planner.

It takes the requests in the order given and books each at its earliest possible minute with the
first free room, prosecutor, duty lawyer and interpreter in list order — what a person filling a
paper grid top to bottom does. It keeps every rule; it only chooses worse.
"""

from __future__ import annotations

from collections.abc import Sequence

from session.scheduling.explain import dynamic_problem, static_problem
from session.scheduling.model import Booking, Plan, Resources, SessionRequest, Unplaced
from session.scheduling.timeline import Board, Group, Timeline


def _first(request: SessionRequest, group: Group, free: list[Timeline], t: int) -> Timeline:
    return free[0]


def first_fit(resources: Resources, requests: Sequence[SessionRequest]) -> Plan:
    """Book ``requests`` in order, each as early as possible with the first free people."""
    board = Board(resources)
    bookings: list[Booking] = []
    unplaced: list[Unplaced] = []
    for request in requests:
        problem = static_problem(board, request, resources)
        if problem is not None:
            unplaced.append(problem)
            continue
        start = board.earliest(request)
        if start is None:
            unplaced.append(dynamic_problem(board, request))
            continue
        bookings.append(board.place(request, start, _first))
    return Plan(bookings=tuple(sorted(bookings)), unplaced=tuple(unplaced))
