"""The planner's JSON files: the requests in, the plan out (see ``SCHEMA.md`` beside this file).

Reading is strict: a missing or mistyped field, an unknown field, a bad time, a duplicate id or a
request naming a prosecutor who is not listed raises :class:`ScheduleInputError`, whose message
starts with the field's path (``requests[3].minutes: ...``) so staff can find it in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from session.scheduling.model import (
    Booking,
    Interval,
    Person,
    Plan,
    Resources,
    Role,
    Room,
    RoomKind,
    SessionRequest,
    Site,
    SiteKind,
    Suspect,
    Unplaced,
)

TIME_FORMAT = "%Y-%m-%dT%H:%M"
#: Larger files are refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 50_000
MAX_MINUTES = 24 * 60

T = TypeVar("T")


class ScheduleInputError(ValueError):
    """A planner file is malformed; ``field`` is the path of the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def _object(value: Any, path: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScheduleInputError(path, "must be an object ({...})")
    for key in sorted(required - value.keys()):
        raise ScheduleInputError(f"{path}.{key}" if path else key, "is missing")
    for key in sorted(value.keys() - required - optional):
        raise ScheduleInputError(path or "file", f'unknown field "{key}"')
    return value


def _text(value: Any, path: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleInputError(path, "must be a non-empty text")
    if len(value) > limit:
        raise ScheduleInputError(path, f"is longer than {limit} characters")
    return value


def _optional_text(value: Any, path: str) -> str | None:
    return None if value is None else _text(value, path)


def _whole(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScheduleInputError(path, f"must be a whole number from {low} to {high}")
    return value


def parse_time(value: Any, path: str) -> datetime:
    """A local time written ``YYYY-MM-DDTHH:MM``."""
    try:
        if not isinstance(value, str):
            raise ValueError
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        problem = f"must be a time like 2026-03-02T09:00, not {value!r}"
        raise ScheduleInputError(path, problem) from None


def format_time(moment: datetime) -> str:
    """A local time as ``YYYY-MM-DDTHH:MM``."""
    return moment.strftime(TIME_FORMAT)


def _intervals(value: Any, path: str) -> tuple[Interval, ...]:
    intervals = []
    for i, pair in enumerate(_list(value, path)):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ScheduleInputError(f"{path}[{i}]", "must be [start, end]")
        start, end = parse_time(pair[0], f"{path}[{i}][0]"), parse_time(pair[1], f"{path}[{i}][1]")
        if end <= start:
            raise ScheduleInputError(f"{path}[{i}]", "must end after it starts")
        intervals.append(Interval(start, end))
    return tuple(intervals)


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScheduleInputError(path, "must be a list ([...])")
    if len(value) > MAX_ITEMS:
        raise ScheduleInputError(path, f"has more than {MAX_ITEMS} items")
    return value


def _items(data: dict[str, Any], key: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    """Read a list of things with ids, refusing a repeated id."""
    items: list[T] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(data.get(key, []), key)):
        item = read(raw, f"{key}[{i}]")
        ident: str = getattr(item, "id")  # noqa: B009 - every item read here has an id
        if ident in seen:
            raise ScheduleInputError(f"{key}[{i}].id", f'"{ident}" is listed twice')
        seen.add(ident)
        items.append(item)
    return tuple(items)


def _choice(value: Any, path: str, kinds: type[RoomKind] | type[SiteKind]) -> Any:
    allowed = [k.value for k in kinds]
    if value not in allowed:
        raise ScheduleInputError(path, f"must be one of {', '.join(allowed)}, not {value!r}")
    return kinds(value)


def _room(raw: Any, path: str) -> Room:
    o = _object(raw, path, {"id", "kind", "available"}, {"site", "name"})
    return Room(
        _text(o["id"], f"{path}.id"),
        _choice(o["kind"], f"{path}.kind", RoomKind),
        _intervals(o["available"], f"{path}.available"),
        _optional_text(o.get("site"), f"{path}.site") or "",
        _optional_text(o.get("name"), f"{path}.name") or "",
    )


def _person(role: Role) -> Callable[[Any, str], Person]:
    def read(raw: Any, path: str) -> Person:
        extra = {"languages"} if role is Role.INTERPRETER else set()
        o = _object(raw, path, {"id", "available"} | extra, {"name", "site"})
        languages = tuple(
            _text(code, f"{path}.languages[{i}]", 32)
            for i, code in enumerate(_list(o.get("languages", []), f"{path}.languages"))
        )
        return Person(
            _text(o["id"], f"{path}.id"),
            role,
            _intervals(o["available"], f"{path}.available"),
            languages,
            _optional_text(o.get("name"), f"{path}.name") or "",
            _optional_text(o.get("site"), f"{path}.site") or "",
        )

    return read


def _site(raw: Any, path: str) -> Site:
    o = _object(raw, path, {"id", "kind"}, {"name"})
    name = _optional_text(o.get("name"), f"{path}.name") or ""
    return Site(_text(o["id"], f"{path}.id"), _choice(o["kind"], f"{path}.kind", SiteKind), name)


def _suspect(raw: Any, path: str) -> Suspect:
    o = _object(raw, path, {"id"}, {"centre", "name"})
    centre = _optional_text(o.get("centre"), f"{path}.centre") or ""
    name = _optional_text(o.get("name"), f"{path}.name") or ""
    return Suspect(_text(o["id"], f"{path}.id"), centre, name)


def _request(raw: Any, path: str) -> SessionRequest:
    o = _object(
        raw, path, {"id", "case", "suspect", "minutes"}, {"prosecutor", "interpreter_language"}
    )
    return SessionRequest(
        id=_text(o["id"], f"{path}.id"),
        case=_text(o["case"], f"{path}.case"),
        suspect=_text(o["suspect"], f"{path}.suspect"),
        minutes=_whole(o["minutes"], f"{path}.minutes", 1, MAX_MINUTES),
        prosecutor=_optional_text(o.get("prosecutor"), f"{path}.prosecutor"),
        interpreter_language=_optional_text(
            o.get("interpreter_language"), f"{path}.interpreter_language"
        ),
    )


_INPUT_REQUIRED = {"changeover_minutes", "rooms", "requests"}
_INPUT_OPTIONAL = {"prosecutors", "lawyers", "interpreters", "staff", "sites", "suspects"}


def read_input(data: Any) -> tuple[Resources, list[SessionRequest]]:
    """The resources and requests of a parsed planner input file."""
    o = _object(data, "", _INPUT_REQUIRED, _INPUT_OPTIONAL)
    resources = Resources(
        changeover_minutes=_whole(o["changeover_minutes"], "changeover_minutes", 0, 240),
        rooms=_items(o, "rooms", _room),
        prosecutors=_items(o, "prosecutors", _person(Role.PROSECUTOR)),
        lawyers=_items(o, "lawyers", _person(Role.LAWYER)),
        interpreters=_items(o, "interpreters", _person(Role.INTERPRETER)),
        staff=_items(o, "staff", _person(Role.STAFF)),
        sites=_items(o, "sites", _site),
        suspects=_items(o, "suspects", _suspect),
    )
    requests = list(_items(o, "requests", _request))
    _check_references(resources, requests)
    return resources, requests


def _check_references(resources: Resources, requests: Sequence[SessionRequest]) -> None:
    prosecutors = {p.id for p in resources.prosecutors}
    for i, request in enumerate(requests):
        if request.prosecutor is not None and request.prosecutor not in prosecutors:
            raise ScheduleInputError(
                f"requests[{i}].prosecutor", f'"{request.prosecutor}" is not among the prosecutors'
            )
    sites = {s.id for s in resources.sites}
    for i, room in enumerate(resources.rooms):
        if sites and room.site and room.site not in sites:
            raise ScheduleInputError(f"rooms[{i}].site", f'"{room.site}" is not among the sites')


def load_input(path: Path) -> tuple[Resources, list[SessionRequest]]:
    """Read a planner input file; :class:`ScheduleInputError` says what is wrong and where."""
    return read_input(_load(path))


def _load(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScheduleInputError("", f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScheduleInputError("", f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScheduleInputError("", f"{path} is not valid JSON ({error})") from None


def _intervals_json(intervals: Sequence[Interval]) -> list[list[str]]:
    return [[format_time(i.start), format_time(i.end)] for i in intervals]


def _named(out: dict[str, Any], **optional: str) -> dict[str, Any]:
    """``out`` with the optional texts that are not empty."""
    return {**out, **{key: value for key, value in optional.items() if value}}


def input_to_json(resources: Resources, requests: Sequence[SessionRequest]) -> dict[str, Any]:
    """A planner input file's content (the inverse of :func:`read_input`; empty optional parts
    are left out)."""

    def person(p: Person) -> dict[str, Any]:
        out: dict[str, Any] = {"id": p.id, "available": _intervals_json(p.available)}
        if p.role is Role.INTERPRETER:
            out["languages"] = list(p.languages)
        return _named(out, name=p.name, site=p.site)

    content: dict[str, Any] = {
        "changeover_minutes": resources.changeover_minutes,
        "rooms": [
            _named(
                {"id": r.id, "kind": r.kind.value, "available": _intervals_json(r.available)},
                site=r.site,
                name=r.name,
            )
            for r in resources.rooms
        ],
        "prosecutors": [person(p) for p in resources.prosecutors],
        "lawyers": [person(p) for p in resources.lawyers],
        "interpreters": [person(p) for p in resources.interpreters],
        "requests": [
            {
                "id": r.id,
                "case": r.case,
                "suspect": r.suspect,
                "prosecutor": r.prosecutor,
                "minutes": r.minutes,
                "interpreter_language": r.interpreter_language,
            }
            for r in requests
        ],
    }
    if resources.staff:
        content["staff"] = [person(p) for p in resources.staff]
    if resources.sites:
        content["sites"] = [
            _named({"id": s.id, "kind": s.kind.value}, name=s.name) for s in resources.sites
        ]
    if resources.suspects:
        content["suspects"] = [
            _named({"id": s.id}, centre=s.centre, name=s.name) for s in resources.suspects
        ]
    return content


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """A plan file's content: bookings in time order, then the requests left unplaced."""
    return {
        "bookings": [
            {
                "request": b.request,
                "room": b.room,
                "prosecutor": b.prosecutor,
                "lawyer": b.lawyer,
                "interpreter": b.interpreter,
                "start": format_time(b.start),
                "end": format_time(b.end),
            }
            for b in sorted(plan.bookings)
        ],
        "unplaced": [{"request": u.request, "reason": u.reason} for u in plan.unplaced],
    }


def _booking(raw: Any, path: str) -> Booking:
    o = _object(
        raw, path, {"request", "room", "prosecutor", "lawyer", "start", "end"}, {"interpreter"}
    )
    start, end = parse_time(o["start"], f"{path}.start"), parse_time(o["end"], f"{path}.end")
    if end <= start:
        raise ScheduleInputError(path, "must end after it starts")
    return Booking(
        start=start,
        end=end,
        request=_text(o["request"], f"{path}.request"),
        room=_text(o["room"], f"{path}.room"),
        prosecutor=_text(o["prosecutor"], f"{path}.prosecutor"),
        lawyer=_text(o["lawyer"], f"{path}.lawyer"),
        interpreter=_optional_text(o.get("interpreter"), f"{path}.interpreter"),
    )


def read_plan(data: Any) -> Plan:
    """A plan from a parsed plan file."""
    o = _object(data, "", {"bookings"}, {"unplaced"})
    raw_bookings = _list(o["bookings"], "bookings")
    bookings = tuple(_booking(raw, f"bookings[{i}]") for i, raw in enumerate(raw_bookings))
    unplaced = []
    for i, raw in enumerate(_list(o.get("unplaced", []), "unplaced")):
        u = _object(raw, f"unplaced[{i}]", {"request", "reason"}, set())
        reason = _text(u["reason"], f"unplaced[{i}].reason", 2000)
        unplaced.append(Unplaced(_text(u["request"], f"unplaced[{i}].request"), "", reason))
    return Plan(bookings, tuple(unplaced))


def load_plan(path: Path) -> Plan:
    """Read a plan file; :class:`ScheduleInputError` says what is wrong and where."""
    return read_plan(_load(path))


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write ``content`` as UTF-8 JSON (Chinese case numbers stay readable)."""
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
