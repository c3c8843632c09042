"""Why a request could not be placed, in words staff can act on.

Two kinds of answer. *Static* problems need no plan to see: the session is longer than any room
is open, the named prosecutor is never free that long, nobody speaks the language. *Dynamic* ones
come from the plan: a room, the prosecutor, the lawyers or the interpreters are fully booked, or
each still has free time but never at the same moment.
"""

from __future__ import annotations

from session.scheduling.model import Resources, SessionRequest, Unplaced, from_minute
from session.scheduling.timeline import Board, Group


def _need_words(request: SessionRequest, group: Group) -> str:
    if group.word == "room":
        return "rooms"
    if group.word == "suspect":
        return f"suspect {request.suspect}"
    if group.word == "prosecutor":
        return "prosecutors" if request.prosecutor is None else f"prosecutor {request.prosecutor}"
    if group.word == "lawyer":
        return "duty lawyers"
    return f"interpreters for {request.interpreter_language}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def static_problem(board: Board, request: SessionRequest, resources: Resources) -> Unplaced | None:
    """A reason ``request`` can never be placed, whatever else is booked; None if it might be."""
    rid, d, c = request.id, request.minutes, board.changeover
    if d <= 0:
        return Unplaced(rid, "invalid_minutes", f"the session must last at least 1 minute, not {d}")
    if not board.rooms:
        return Unplaced(rid, "no_room", "there is no room that can hold a session")
    if max(r.longest_window() for r in board.rooms) < d + c:
        return Unplaced(
            rid,
            "room_too_short",
            f"no room is open for {d + c} minutes at a stretch"
            f" ({d} minutes of session and {c} of change-over)",
        )
    if request.prosecutor is not None:
        named = board.prosecutors.get(request.prosecutor)
        if named is None:
            return Unplaced(
                rid, "unknown_prosecutor", f"there is no prosecutor {request.prosecutor}"
            )
        if named.longest_window() < d:
            return Unplaced(
                rid,
                "prosecutor_unavailable",
                f"prosecutor {request.prosecutor} is never available for {d} minutes at a stretch",
            )
    elif max((p.longest_window() for p in board.prosecutors.values()), default=0) < d:
        return Unplaced(rid, "no_prosecutor", f"no prosecutor is available for {d} minutes")
    if max((p.longest_window() for p in board.lawyers), default=0) < d:
        return Unplaced(rid, "no_lawyer", f"no duty lawyer is available for {d} minutes")
    language = request.interpreter_language
    if language is not None:
        speakers = board.languages.get(language, ())
        if not speakers:
            return Unplaced(rid, "no_interpreter", f"no interpreter speaks {language}")
        if max(p.longest_window() for p in speakers) < d:
            return Unplaced(
                rid,
                "interpreter_unavailable",
                f"no interpreter for {language} is available for {d} minutes",
            )
    return None


def never_together(board: Board, request: SessionRequest) -> Unplaced:
    """The reason for a request whose needs are never free together, even with nothing booked."""
    needs = _join([_need_words(request, g) for g in board.groups(request)])
    return Unplaced(
        request.id,
        "never_together",
        f"the {needs} are never available at the same time for {request.minutes} minutes",
    )


def _names_one(words: str) -> bool:
    """Whether a need's words name one person (``prosecutor P01``) rather than several."""
    return words.startswith(("prosecutor ", "suspect "))


def _runs(group: Group) -> list[tuple[int, int]]:
    return sorted(run for member in group.members for run in member.free_runs(group.length))


def _together(first: Group, second: Group) -> bool:
    """Whether some member of each is free at one moment for its own length."""
    for a_start, a_end in _runs(first):
        for b_start, b_end in _runs(second):
            s = max(a_start, b_start)
            if s + first.length <= a_end and s + second.length <= b_end:
                return True
    return False


def _shown(runs: list[tuple[int, int]], limit: int = 3) -> str:
    """Free stretches as staff read them: ``03-02 09:00–09:40``, merged, the first few."""
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    text = ", ".join(
        f"{from_minute(start):%m-%d %H:%M}–{from_minute(end):%H:%M}"
        for start, end in merged[:limit]
    )
    return text + (" …" if len(merged) > limit else "")


def dynamic_problem(board: Board, request: SessionRequest) -> Unplaced:
    """Why ``request`` does not fit into what is booked now.

    Either some need has no free time left at all (``fully_booked``), or two needs are never
    free together (``not_together``, with when each is free), or only all of them together
    never meet (``no_common_time``).
    """
    d = request.minutes
    groups = board.groups(request)
    full: list[str] = []
    for group in groups:
        if any(m.earliest(board.opening, group.length) is not None for m in group.members):
            continue
        booked = sum(m.busy_count for m in group.members)
        full.append(f"{_need_words(request, group)} ({booked} sessions)")
    if full:
        return Unplaced(
            request.id,
            "fully_booked",
            f"the {_join(full)} {'is' if len(full) == 1 and _names_one(full[0]) else 'are'}"
            f" fully booked: no time is left for a {d}-minute session",
        )
    for i, first in enumerate(groups):
        for second in groups[i + 1 :]:
            if not _together(first, second):
                a, b = _need_words(request, first), _need_words(request, second)
                return Unplaced(
                    request.id,
                    "not_together",
                    f"the {a} and the {b} are never free together for {d} minutes"
                    f" (the {a} are free {_shown(_runs(first))};"
                    f" the {b} {_shown(_runs(second))})",
                )
    needs = _join([_need_words(request, g) for g in groups])
    return Unplaced(
        request.id,
        "no_common_time",
        f"the {needs} each still have free time, but never all at the same time for {d} minutes",
    )
