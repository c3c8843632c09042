"""Made-up but realistic days and weeks of requests, the same every time, for tests and benchmarks.

- :func:`tight_day`: the district centre's design load, 80 sessions of 12 minutes with 3 minutes of
  change-over in 2 hours over 6 remote interrogation rooms and 4 plea workrooms.
- :func:`scarce_day`: the same rooms for a working day, but few prosecutors and duty lawyers on
  short shifts, named prosecutors, interpreters, suspects with more than one case.
- :func:`week`: ``count`` requests over five working days of 10 rooms.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from session.scheduling.model import (
    Interval,
    Person,
    Resources,
    Role,
    Room,
    RoomKind,
    SessionRequest,
)

DAY = date(2026, 3, 2)  # a Monday


def at(day: date, hhmm: str) -> datetime:
    """``day`` at ``"HH:MM"``."""
    return datetime.combine(day, time.fromisoformat(hhmm))


def span(day: date, start: str, end: str) -> Interval:
    """An interval on ``day`` from ``start`` to ``end`` (``"HH:MM"``)."""
    return Interval(at(day, start), at(day, end))


def district_rooms(available: tuple[Interval, ...]) -> tuple[Room, ...]:
    """Six remote interrogation rooms and four plea workrooms, as in the district centre."""
    return tuple(
        Room(
            f"R{i + 1:02d}",
            RoomKind.REMOTE_INTERROGATION if i < 6 else RoomKind.PLEA_WORKROOM,
            available,
        )
        for i in range(10)
    )


def people(
    role: Role, prefix: str, count: int, available: tuple[Interval, ...]
) -> tuple[Person, ...]:
    """``count`` people of ``role``, all available alike."""
    return tuple(Person(f"{prefix}{i + 1:02d}", role, available) for i in range(count))


def tight_day(named_prosecutors: bool = False) -> tuple[Resources, list[SessionRequest]]:
    """80 requests of 12 minutes, 10 rooms, 10 prosecutors and 10 lawyers, 09:00–11:00.

    With ``named_prosecutors`` each prosecutor is named by 8 requests, listed prosecutor by
    prosecutor, as a case list sorted by who handles it would be.
    """
    window = (span(DAY, "09:00", "11:00"),)
    resources = Resources(
        changeover_minutes=3,
        rooms=district_rooms(window),
        prosecutors=people(Role.PROSECUTOR, "P", 10, window),
        lawyers=people(Role.LAWYER, "L", 10, window),
    )
    requests = [
        SessionRequest(
            id=f"Q{i + 1:03d}",
            case=f"南检刑认〔2026〕{i + 1}号",
            suspect=f"S{i + 1:03d}",
            minutes=12,
            prosecutor=f"P{i // 8 + 1:02d}" if named_prosecutors else None,
        )
        for i in range(80)
    ]
    return resources, requests


def _shift(rng: random.Random, day: date) -> tuple[Interval, ...]:
    """A random duty: the morning session, the afternoon one, or both."""
    choice = rng.random()
    morning, afternoon = span(day, "09:00", "11:00"), span(day, "14:00", "16:00")
    if choice < 0.4:
        return (morning,)
    if choice < 0.8:
        return (afternoon,)
    return (morning, afternoon)


def scarce_day(seed: int = 1, count: int = 80) -> tuple[Resources, list[SessionRequest]]:
    """``count`` requests for the hours a centre allows questioning (09–11, 14–16) in 10 rooms,
    with only 5 prosecutors and 4 duty lawyers on random duties, half the requests naming their
    prosecutor, and a few needing an interpreter."""
    rng = random.Random(seed)
    rooms = district_rooms((span(DAY, "09:00", "11:00"), span(DAY, "14:00", "16:00")))
    prosecutors = tuple(
        Person(f"P{i + 1:02d}", Role.PROSECUTOR, _shift(rng, DAY)) for i in range(5)
    )
    lawyers = tuple(Person(f"L{i + 1:02d}", Role.LAWYER, _shift(rng, DAY)) for i in range(4))
    interpreters = (
        Person("I01", Role.INTERPRETER, (span(DAY, "09:00", "16:00"),), ("ug", "kk")),
        Person("I02", Role.INTERPRETER, (span(DAY, "09:00", "11:00"),), ("ug",)),
    )
    requests = []
    for i in range(count):
        language = rng.choice(["ug", "ug", "kk"]) if rng.random() < 0.1 else None
        named = f"P{rng.randrange(5) + 1:02d}" if rng.random() < 0.5 else None
        requests.append(
            SessionRequest(
                id=f"Q{i + 1:03d}",
                case=f"南检刑认〔2026〕{i + 1}号",
                suspect=f"S{rng.randrange(count * 9 // 10) + 1:03d}",
                minutes=rng.choice([12, 12, 12, 15, 20, 30]),
                prosecutor=named,
                interpreter_language=language,
            )
        )
    resources = Resources(3, rooms, prosecutors, lawyers, interpreters)
    return resources, requests


def week(count: int = 1000, seed: int = 7) -> tuple[Resources, list[SessionRequest]]:
    """``count`` requests over Monday to Friday, 10 rooms, 12 prosecutors, 10 lawyers."""
    rng = random.Random(seed)
    days = [DAY + timedelta(days=d) for d in range(5)]
    windows = tuple(w for d in days for w in (span(d, "08:30", "12:00"), span(d, "13:30", "17:30")))
    resources = Resources(
        changeover_minutes=3,
        rooms=district_rooms(windows),
        prosecutors=people(Role.PROSECUTOR, "P", 12, windows),
        lawyers=people(Role.LAWYER, "L", 10, windows),
        interpreters=(
            Person("I01", Role.INTERPRETER, windows, ("ug", "kk")),
            Person("I02", Role.INTERPRETER, windows[:4], ("en",)),
        ),
    )
    requests = [
        SessionRequest(
            id=f"Q{i + 1:04d}",
            case=f"南检刑认〔2026〕{i + 1}号",
            suspect=f"S{rng.randrange(count) + 1:04d}",
            minutes=rng.choice([12, 12, 15, 20, 25, 30]),
            prosecutor=f"P{rng.randrange(12) + 1:02d}" if rng.random() < 0.5 else None,
            interpreter_language=rng.choice(["ug", "kk", "en"]) if rng.random() < 0.03 else None,
        )
        for i in range(count)
    ]
    return resources, requests
