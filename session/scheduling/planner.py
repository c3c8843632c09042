"""The auto-planner: place as many requests as possible, each as early as possible.

Theory of operation
-------------------
1. **Static check.** A request that can never fit (longer than any room is open, its prosecutor
   never free that long, nobody speaks its language...) is set aside with its reason.
2. **Earliest start first.** The other requests wait in a heap keyed by the earliest minute
   they could start; at equal starts the shortest session goes first (more sessions fit), then
   the one under most *pressure* (the share of its named prosecutor's or its language's
   interpreters' time that all requests ask for), then input order. Bookings only ever take time
   away, so a key can only grow: the planner pops the top, recomputes its earliest start, and
   books it if unchanged or pushes it back (a lazy heap). Requests alike in length, prosecutor
   and language wait as one entry, since one search serves them all. Sessions are thus placed in
   time order, which packs rooms with no holes where the day allows it (the 80-in-2-hours case).
3. **Choosing who.** At the chosen minute, of the members free in each group it takes the one
   whose availability ends soonest (use it before it goes); a prosecutor not named by pending
   requests before one who is; a duty lawyer already working that day before one who is not
   (the allowance is paid per day); an interpreter with fewer languages before a more versatile
   one. A naive first-fit takes the first free one in list order (:mod:`naive`).
4. **Repair.** For each request left over, try moving one booking that holds something it needs:
   take it off, place the left-over request, put the moved one back at its own earliest start;
   keep the change only if both fit. A bounded budget keeps a week's plan fast.
5. **Explain** each request still left over (:mod:`explain`).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence

from session.scheduling.explain import dynamic_problem, never_together, static_problem
from session.scheduling.model import (
    Booking,
    Plan,
    Resources,
    SessionRequest,
    Unplaced,
    to_minute,
)
from session.scheduling.timeline import Board, Group, Timeline

#: Repair tries per left-over request, and in all (each try is a remove, two searches, a put).
REPAIR_TRIES_PER_REQUEST = 40
REPAIR_TRIES_TOTAL = 1500
MINUTES_PER_DAY = 24 * 60


class _Chooser:
    """The planner's choice of members (step 3), with what it needs to know of the plan."""

    def __init__(self, requests: Sequence[SessionRequest]) -> None:
        self.pending_named: Counter[str] = Counter(
            r.prosecutor for r in requests if r.prosecutor is not None
        )
        self.lawyer_days: set[tuple[str, int]] = set()

    def __call__(
        self, request: SessionRequest, group: Group, free: list[Timeline], t: int
    ) -> Timeline:
        day = t // MINUTES_PER_DAY

        def key(member: Timeline) -> tuple[int, int, int]:
            end = member.window_end(t)
            if group.word == "prosecutor" and request.prosecutor is None:
                return (self.pending_named[member.id], end, member.order)
            if group.word == "lawyer":
                return (end, 0 if (member.id, day) in self.lawyer_days else 1, member.order)
            if group.word == "interpreter":
                return (len(member.languages), end, member.order)
            return (0, end, member.order)

        return min(free, key=key)

    def placed(self, request: SessionRequest, booking: Booking, moved: bool = False) -> None:
        """A request is booked (or ``moved``): its named prosecutor is less in demand, and its
        lawyer works that day."""
        if request.prosecutor is not None and not moved:
            self.pending_named[request.prosecutor] -= 1
        self.lawyer_days.add((booking.lawyer, to_minute(booking.start) // MINUTES_PER_DAY))


def _pressures(board: Board, requests: Sequence[SessionRequest]) -> dict[str, float]:
    """For each request, the share of its scarcest specific resource the requests ask for."""
    asked: defaultdict[str, int] = defaultdict(int)
    for r in requests:
        if r.prosecutor is not None:
            asked["p:" + r.prosecutor] += r.minutes
        if r.interpreter_language is not None:
            asked["i:" + r.interpreter_language] += r.minutes

    def capacity(lines: Sequence[Timeline]) -> int:
        return max(1, sum(end - start for line in lines for start, end in line.windows))

    pressure: dict[str, float] = {}
    for r in requests:
        value = 0.0
        if r.prosecutor is not None and r.prosecutor in board.prosecutors:
            value = asked["p:" + r.prosecutor] / capacity([board.prosecutors[r.prosecutor]])
        if r.interpreter_language is not None:
            speakers = board.languages.get(r.interpreter_language, ())
            value = max(value, asked["i:" + r.interpreter_language] / capacity(speakers))
        pressure[r.id] = value
    return pressure


def plan(resources: Resources, requests: Sequence[SessionRequest], repair: bool = True) -> Plan:
    """Place as many ``requests`` as the rules allow, earliest first; explain the rest."""
    board = Board(resources)
    chooser = _Chooser(requests)
    pressure = _pressures(board, requests)
    unplaced: dict[str, Unplaced] = {}
    classes: dict[tuple[int, str | None, str | None], deque[int]] = defaultdict(deque)
    for index, request in enumerate(requests):
        problem = static_problem(board, request, resources)
        if problem is None and board.earliest(request) is None:
            problem = never_together(board, request)
        if problem is not None:
            unplaced[request.id] = problem
        else:
            kind = (request.minutes, request.prosecutor, request.interpreter_language)
            classes[kind].append(index)
    booked: dict[str, Booking] = {}
    left = _place_in_time_order(board, chooser, requests, pressure, list(classes.values()), booked)
    if repair:
        left = _repair(board, chooser, requests, booked, left)
    for request in left:
        unplaced[request.id] = dynamic_problem(board, request)
    order = {r.id: i for i, r in enumerate(requests)}
    return Plan(
        bookings=tuple(sorted(booked.values())),
        unplaced=tuple(sorted(unplaced.values(), key=lambda u: order[u.request])),
    )


def _place_in_time_order(
    board: Board,
    chooser: _Chooser,
    requests: Sequence[SessionRequest],
    pressure: dict[str, float],
    classes: list[deque[int]],
    booked: dict[str, Booking],
) -> list[SessionRequest]:
    """Step 2 with the lazy heap; returns the requests that found no time.

    Requests alike in length, prosecutor and language form a class that waits in the heap as one
    entry (the one search serves them all); a request whose suspect is busy at the class's time
    leaves its class and waits on its own.
    """
    heap: list[tuple[int, int, float, int, int]] = []  # (start, minutes, -pressure, index, class)

    def push(start: int | None, index: int, klass: int) -> None:
        if start is None:
            left.extend(requests[i] for i in (classes[klass] if klass >= 0 else [index]))
            return
        request = requests[index]
        entry = (start, request.minutes, -pressure[request.id], index, klass)
        heapq.heappush(heap, entry)

    left: list[SessionRequest] = []
    for number, members in enumerate(classes):
        push(board.earliest(requests[members[0]], suspect=False), members[0], number)
    while heap:
        start, _, _, index, klass = heapq.heappop(heap)
        request = requests[index]
        now = board.earliest(request, start, suspect=klass < 0)
        if now != start:
            push(now, index, klass)
            continue
        if klass >= 0:
            classes[klass].popleft()
            if (
                board.suspect(request.suspect).earliest(now, request.minutes + board.changeover)
                != now
            ):
                push(board.earliest(request, now), index, -1)
                now = None
            if classes[klass]:
                push(start, classes[klass][0], klass)
        if now is not None:
            booked[request.id] = board.place(request, now, chooser)
            chooser.placed(request, booked[request.id])
    return left


def _could_help(board: Board, request: SessionRequest) -> Callable[[Booking], bool]:
    """Which bookings are worth moving for ``request``: those holding a room or person it could
    use — and, where some need has no free time left at all, one of those."""
    groups = [g for g in board.groups(request) if g.word != "suspect"]
    full = [
        g for g in groups if all(m.earliest(board.opening, g.length) is None for m in g.members)
    ]
    ids = {g.word: {m.id for m in g.members} for g in groups}

    def helps(booking: Booking) -> bool:
        held = {
            "room": booking.room,
            "prosecutor": booking.prosecutor,
            "lawyer": booking.lawyer,
            "interpreter": booking.interpreter,
        }
        if full:
            return all(held[g.word] in ids[g.word] for g in full)
        return any(held[word] in members for word, members in ids.items())

    return helps


def _repair(
    board: Board,
    chooser: _Chooser,
    requests: Sequence[SessionRequest],
    booked: dict[str, Booking],
    left: list[SessionRequest],
) -> list[SessionRequest]:
    """Step 4: move one booking aside to fit each left-over request; return those still left."""
    by_id = {r.id: r for r in requests}
    budget = REPAIR_TRIES_TOTAL
    still: list[SessionRequest] = []
    for request in left:
        start = board.earliest(request)  # an earlier repair may have made room
        if start is not None:
            booked[request.id] = board.place(request, start, chooser)
            chooser.placed(request, booked[request.id])
            continue
        # Bookings that free something it needs, flexible ones (easier to move) first.
        helps = _could_help(board, request)
        candidates = sorted(
            (b for b in booked.values() if helps(b)),
            key=lambda b: (by_id[b.request].prosecutor is not None, b),
        )
        tries = min(budget, REPAIR_TRIES_PER_REQUEST)
        budget -= tries
        moves = (_try_move(board, chooser, by_id, booked, request, b) for b in candidates[:tries])
        if not any(moves):
            still.append(request)
    return still


def _try_move(
    board: Board,
    chooser: _Chooser,
    by_id: dict[str, SessionRequest],
    booked: dict[str, Booking],
    request: SessionRequest,
    moved: Booking,
) -> bool:
    """Take ``moved`` off, place ``request``, put ``moved`` back elsewhere the same day; keep
    the change only if both fit.

    ``request`` fitted nowhere before, so if it fits now it overlaps the freed time: the search
    starts just before it, which keeps a try cheap on a week-long board.
    """
    moved_request = by_id[moved.request]
    board.remove(moved, moved_request)
    freed = to_minute(moved.start)
    start = board.earliest(request, freed - request.minutes - board.changeover)
    if start is not None:
        placed = board.place(request, start, chooser)
        again = board.earliest(moved_request, freed - freed % MINUTES_PER_DAY)
        if again is not None:
            booked[request.id] = placed
            booked[moved.request] = board.place(moved_request, again, chooser)
            chooser.placed(request, placed)
            chooser.placed(moved_request, booked[moved.request], moved=True)
            return True
        board.remove(placed, request)
    board.restore(moved, moved_request)
    return False
