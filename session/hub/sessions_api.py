"""The hub's session routes: booking, reading, listing a day, and each party's own join.

- ``POST /api/sessions``: detention-centre staff for a room of their centre, a prosecutor for
  their own case; the body names each party's account; nobody's join token is in the answer.
- ``GET /api/sessions/{id}``: its parties, its centre's staff, evidence clerks.
- ``GET /api/my/sessions?day=``: the caller's sessions of a day.
- ``POST /api/sessions/{id}/join``: the caller's own role and join token.

Who may do what is decided in ``session.hub.permissions``; this module reads the request,
asks, and answers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from aiohttp import web

from session.accounts.model import Account
from session.accounts.store import AccountStore
from session.hub.access import caller
from session.hub.permissions import Refused, check_booking, may_read, part_of
from session.hub.store import SessionRecord
from session.machine import State
from session.scheduling.store import ScheduleStore

if TYPE_CHECKING:
    from session.hub.server import Hub

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_SESSION = "没有这个会见 / no such session"
CLOSED_WORDS = "会话已结束 / this session is closed; the hub keeps its recording and documents"
BAD_DAY = "日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD"


class SessionRoutes:
    """The session routes of ``hub``."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the hub's application."""
        return [
            web.post("/api/sessions", self.book),
            web.get("/api/my/sessions", self.mine),
            web.get("/api/sessions/{id}", self.read),
            web.post("/api/sessions/{id}/join", self.join),
        ]

    async def book(self, request: web.Request) -> web.Response:
        """Book a session naming each party's account."""
        hub = self._hub
        booker = await caller(request)
        try:
            body = await request.json()
            case_number = str(body["case_number"])[:64]
            named = {str(role): str(name)[:64] for role, name in dict(body["parties"]).items()}
            minor = bool(body.get("minor", False))
            booking = body.get("booking")
            day = str(body.get("day") or date.today().isoformat())
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Refused(400, "bad_request", "须提供案号和各参与方的账户 / expected JSON with a "
                          "case_number and the parties' accounts") from None  # fmt: skip
        if not _DAY.fullmatch(day):
            raise Refused(400, "bad_request", BAD_DAY)
        accounts = await hub.in_db(_accounts_named, hub.accounts, named)
        site = check_booking(booker, tuple(named), accounts)
        schedule = hub.schedule
        if booking is not None:
            if schedule is None:
                raise Refused(400, "no_schedule", "本中心未启用排期 / this hub keeps no schedule; "
                              "book the session without 'booking'")  # fmt: skip
            await hub.in_db(_unlinked_booking, schedule, str(booking))
        assigned = {role: account.username for role, account in accounts.items() if account}
        try:
            session_id = await hub.create_session(
                case_number, tuple(named), minor, assigned, day, site
            )
        except ValueError as exc:
            raise Refused(400, "bad_parties", str(exc)) from None
        if booking is not None and schedule is not None:
            await hub.in_db(_link, schedule, str(booking), session_id)
        details = {"case_number": case_number, "parties": assigned, "booking": booking}
        if hub.audit is not None:
            await hub.in_db(hub.audit.record, session_id, booker.username, booker.role.value,
                            "booked", hub.clock.now(), details)  # fmt: skip
        return web.json_response({"session_id": session_id, "day": day}, status=201)

    async def _readable(self, request: web.Request) -> tuple[Account, SessionRecord]:
        """The caller and the session asked about, if the caller may read it."""
        account = await caller(request)
        record = await self._hub.in_db(self._hub.store.session, request.match_info["id"])
        if record is None:
            raise Refused(404, "unknown_session", NO_SESSION)
        if not may_read(account, record):
            raise Refused(403, "not_yours", "无权查看此会见 / this session is not yours to see")
        return account, record

    async def read(self, request: web.Request) -> web.Response:
        """A session's record: its state and steps, who signed, who is connected."""
        _, record = await self._readable(request)
        changes = await self._hub.in_db(self._hub.store.state_changes, record.id)
        signed = await self._hub.in_db(self._hub.store.signatures, record.id)
        live = self._hub.live(record.id)
        return web.json_response(
            {
                **await self._summary(record),
                "states": ["scheduled"] + [change["state"] for change in changes],
                "changes": changes,
                "signed": sorted(signed),
                "minor": record.minor,
                "connected": sorted(live.sockets) if live else [],
            }
        )

    async def _summary(self, record: SessionRecord) -> dict[str, Any]:
        people = await self._hub.in_db(_accounts_named, self._hub.accounts, record.assigned)
        return {
            "id": record.id,
            "case_number": record.case_number,
            "state": record.state,
            "day": record.day,
            "site": record.site,
            "parties": {role: a.public() if a else None for role, a in people.items()},
        }

    async def mine(self, request: web.Request) -> web.Response:
        """The caller's sessions of ``?day=YYYY-MM-DD`` (today by default)."""
        account = await caller(request)
        day = request.query.get("day") or date.today().isoformat()
        if not _DAY.fullmatch(day):
            raise Refused(400, "bad_request", BAD_DAY)
        records = await self._hub.in_db(self._hub.store.sessions_on, day)
        readable = [r for r in records if may_read(account, r)]
        return web.json_response(
            [{**await self._summary(r), "role": part_of(account, r)} for r in readable]
        )

    async def join(self, request: web.Request) -> web.Response:
        """The caller's own join for a session it takes part in: its role and join token."""
        account, record = await self._readable(request)
        role = part_of(account, record)
        if role is None:
            raise Refused(403, "not_a_party", "您不是此会见的参与方 / you take no part in it")
        if record.state == State.CLOSED.value:
            raise Refused(410, "session_closed", CLOSED_WORDS)
        token = self._hub.tokens.issue(record.id, role)
        return web.json_response({"session_id": record.id, "role": role, "token": token})


def _accounts_named(store: AccountStore, named: dict[str, str]) -> dict[str, Account | None]:
    """The account of each user name in ``named`` (role -> user name), None where unknown."""
    return {role: store.account(username) for role, username in named.items()}


def _unlinked_booking(schedule: ScheduleStore, request_id: str) -> None:
    """Check that the schedule has ``request_id`` booked and no session holds it yet."""
    try:
        booking = schedule.booking(request_id)
    except ValueError as exc:
        raise Refused(400, "not_booked", f"排期中没有此预约 / {exc}") from None
    if booking.session_id is not None:
        raise Refused(409, "booking_linked", "此排期已关联会见 / this booking already has its "
                      "session; its 提押/还押 record stays with it")  # fmt: skip


def _link(schedule: ScheduleStore, request_id: str, session_id: str) -> None:
    try:
        schedule.link_session(request_id, session_id)
    except ValueError:
        raise Refused(409, "booking_linked", "此排期已关联会见 / this booking already has its "
                      "session") from None  # fmt: skip
