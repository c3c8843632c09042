"""The hub: sessions, signaling, the authoritative state machine, and the recorder peer.

One aiohttp application on the justice network (127.0.0.1 in the demo). Stations join a
session over ``/ws/sessions/{id}``; the hub relays their WebRTC offers and answers, keeps each
session's :class:`~session.machine.SessionMachine`, stores every state change, and runs the
recorder peer that receives every party (审录分离: the technical department's hub records, not
the prosecutor's station).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from session import messages as m
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.feed import RecorderFactory
from session.hub.live import LiveSession, send
from session.hub.store import Store
from session.hub.tokens import TokenIssuer
from session.machine import OPTIONAL_ROLES, REQUIRED_ROLES, State, StepRefused
from session.rtc.network import DIRECT, MediaRoute
from session.scheduling.store import ScheduleStore

log = logging.getLogger(__name__)

JOIN_TIMEOUT = 10.0
#: Messages from one station waiting to be handled before the hub stops listening to it.
MAX_WAITING_MESSAGES = 256
#: Largest agreement PDF accepted (a long one with images is a few MB).
MAX_AGREEMENT_BYTES = 20 * 1024 * 1024
#: Closed sessions kept in memory once their last station left, so :meth:`Hub.live` still answers
#: for them; older ones are let go (the store, the audit trail and the files keep what they were).
KEEP_FINISHED = 8
CLOSED_WORDS = "会话已结束 / this session is closed; the hub keeps its recording and documents"


class _SessionClosed(Exception):
    """A station asked for a session that is over."""


class Hub:
    """Sessions and their live state, served over HTTP and WebSocket; each session's recording
    made by a recorder from ``recorders`` (see :func:`session.hub.runner.composite_recorders`)."""

    def __init__(
        self,
        store: Store,
        recordings_dir: Path,
        clock: HubClock | None = None,
        *,
        recorders: RecorderFactory,
        tokens: TokenIssuer | None = None,
        record_consultation: bool = False,
        schedule: ScheduleStore | None = None,
        audit: AuditTrail | None = None,
        media_route: MediaRoute = DIRECT,
    ) -> None:
        self.store = store
        self.media_route = media_route
        self.schedule = schedule
        self.audit = audit
        self.record_consultation = record_consultation
        self.tokens = tokens or TokenIssuer(secrets.token_bytes(32))
        self.recordings_dir = recordings_dir
        self.recorders = recorders
        self.clock = clock or HubClock()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="hub-db")
        self._live: dict[str, LiveSession] = {}
        self._finished: deque[str] = deque()
        self.app = web.Application()
        self.app.add_routes(
            [
                web.post("/api/sessions", self._create_session),
                web.get("/api/sessions/{id}", self._get_session),
                web.put("/api/sessions/{id}/agreement", self._put_agreement),
                web.get("/api/sessions/{id}/agreement", self._get_agreement),
                web.get("/ws/sessions/{id}", self._websocket),
            ]
        )
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> str:
        """Serve on ``host:port`` (0 picks a free port), over TLS if given; return the URL."""
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=tls)
        await site.start()
        bound = self._runner.addresses[0]  # (host, port) as the socket was bound
        self.url = f"{'https' if tls else 'http'}://{host}:{bound[1]}"
        return self.url

    async def close(self) -> None:
        """Stop every live session (closing recordings) and the server, in that order."""
        for live in list(self._live.values()):
            await live.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
        self._db.shutdown(wait=True)

    async def create_session(
        self,
        case_number: str,
        parties: tuple[str, ...] = REQUIRED_ROLES,
        minor: bool = False,
    ) -> str:
        """Schedule a session for these parties and return its id.

        Raises ValueError for a party list the law does not allow.
        """
        unknown = set(parties) - set(REQUIRED_ROLES) - set(OPTIONAL_ROLES)
        if unknown:
            raise ValueError(f"unknown parties: {', '.join(sorted(unknown))}")
        if not set(REQUIRED_ROLES) <= set(parties):
            raise ValueError("a plea session needs the suspect, the prosecutor and a duty lawyer")
        if minor and "guardian" not in parties:
            raise ValueError("a minor's session needs the guardian (法定代理人) as a party")
        ordered = tuple(r for r in (*REQUIRED_ROLES, *OPTIONAL_ROLES) if r in parties)
        return await self._in_db(
            self.store.create_session, case_number, self.clock.wall(), ordered, minor
        )

    def join_tokens(self, session_id: str, parties: tuple[str, ...]) -> dict[str, str]:
        """Each party's token for joining ``session_id``; handed to its station at booking."""
        return {role: self.tokens.issue(session_id, role) for role in parties}

    def live(self, session_id: str) -> LiveSession | None:
        """The live state of a session that has had a party join."""
        return self._live.get(session_id)

    async def _in_db(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, func, *args)

    async def _live_session(self, session_id: str) -> LiveSession | None:
        """The session's runtime, made on first use; raises :class:`_SessionClosed` for a
        session that is over, in memory or only in the store (it is never opened again)."""
        live = self._live.get(session_id)
        if live is None:
            record = await self._in_db(self.store.session, session_id)
            if record is None:
                return None
            if record.state == State.CLOSED.value:
                raise _SessionClosed
            begun = record.state != State.SCHEDULED.value  # the hub stopped during it
            changes = await self._in_db(self.store.state_changes, session_id) if begun else []
            signed = await self._in_db(self.store.signatures, session_id) if begun else {}
            # Another station of the same session may have got here while the store answered.
            live = self._live.get(session_id)
            if live is None:
                live = self._live[session_id] = LiveSession(
                    record,
                    self.recordings_dir,
                    self.clock,
                    self._in_db,
                    self.store,
                    self.recorders,
                    self.record_consultation,
                    self.audit,
                    self.media_route,
                )
                if changes:
                    await live.restore(changes, signed)
        if live.machine.state is State.CLOSED:  # also one that was closing when the hub stopped
            raise _SessionClosed
        return live

    # -- HTTP -------------------------------------------------------------------------------

    async def _create_session(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            case_number = str(body["case_number"])[:64]
            parties = tuple(str(p) for p in body.get("parties", REQUIRED_ROLES))
            minor = bool(body.get("minor", False))
            booking, schedule = body.get("booking"), self.schedule
            if booking is not None and schedule is None:
                raise ValueError("this hub keeps no schedule; book the session without 'booking'")
            if booking is not None and schedule is not None:
                await self._in_db(schedule.booking, str(booking))  # it must exist: fail early
            session_id = await self.create_session(case_number, parties, minor)
            if booking is not None and schedule is not None:
                await self._in_db(schedule.link_session, str(booking), session_id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            detail = exc if isinstance(exc, ValueError) else "expected JSON with a case_number"
            raise web.HTTPBadRequest(text=str(detail)) from None
        record = await self._in_db(self.store.session, session_id)
        tokens = self.join_tokens(session_id, record.parties)
        return web.json_response({"session_id": session_id, "tokens": tokens}, status=201)

    async def _get_session(self, request: web.Request) -> web.Response:
        session_id = request.match_info["id"]
        record = await self._in_db(self.store.session, session_id)
        if record is None:
            raise web.HTTPNotFound(text="no such session")
        changes = await self._in_db(self.store.state_changes, session_id)
        signatures = await self._in_db(self.store.signatures, session_id)
        live = self._live.get(session_id)
        return web.json_response(
            {
                "id": record.id,
                "case_number": record.case_number,
                "state": record.state,
                "states": ["scheduled"] + [change["state"] for change in changes],
                "changes": changes,
                "signatures": signatures,
                "recording": str(live.recording_path) if live and live.recording_path else None,
                "parties": list(record.parties),
                "minor": record.minor,
                "connected": sorted(live.sockets) if live else [],
            }
        )

    async def _put_agreement(self, request: web.Request) -> web.Response:
        """The prosecutor's station loads the agreement's PDF, bytes as the body."""
        live, role = await self._party(request)
        pdf = bytearray()
        async for chunk in request.content.iter_chunked(1 << 16):
            pdf += chunk
            if len(pdf) > MAX_AGREEMENT_BYTES:
                raise web.HTTPRequestEntityTooLarge(MAX_AGREEMENT_BYTES, len(pdf))
        if not pdf.startswith(b"%PDF-"):
            raise web.HTTPBadRequest(text="the agreement must be a PDF file")
        try:
            sha256 = await live.load_agreement(role, bytes(pdf))
        except StepRefused as exc:
            refusal = web.HTTPForbidden if exc.code == "wrong_role" else web.HTTPConflict
            raise refusal(text=exc.message) from None
        return web.json_response({"sha256": sha256})

    async def _get_agreement(self, request: web.Request) -> web.Response:
        """Any party's station fetches the agreement it is shown and signs."""
        live, _ = await self._party(request)
        if live.agreement is None:
            raise web.HTTPNotFound(text="the prosecutor has not loaded the agreement yet")
        return web.Response(body=live.agreement, content_type="application/pdf")

    async def _party(self, request: web.Request) -> tuple[LiveSession, str]:
        """The session asked about and the party whose join token authorises the request."""
        try:
            live = await self._live_session(request.match_info["id"])
        except _SessionClosed:
            raise web.HTTPGone(text=CLOSED_WORDS) from None
        if live is None:
            raise web.HTTPNotFound(text="no such session")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        for role in live.machine.required_roles:
            if self.tokens.check(live.id, role, token):
                return live, role
        raise web.HTTPForbidden(text="this station's token is not valid for the session")

    # -- WebSocket signaling ------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=m.MAX_MESSAGE_BYTES, heartbeat=10)
        await ws.prepare(request)
        try:
            live = await self._live_session(request.match_info["id"])
        except _SessionClosed:
            await _refuse(ws, "session_closed", CLOSED_WORDS)
            await ws.close()
            return ws
        if live is None:
            await _refuse(ws, "unknown_session", "no such session: check the session id")
            await ws.close()
            return ws
        role = await self._await_join(ws, live)
        if role is None:
            await ws.close()
            return ws
        try:
            await self._serve(live, role, ws)
        finally:
            await live.leave(role, ws)
            if live.machine.state is State.CLOSED and not live.sockets:
                await self._let_go(live)
        return ws

    async def _let_go(self, live: LiveSession) -> None:
        """The last station left a closed session: release its media, and keep only the
        latest few closed sessions in memory."""
        if live.id in self._finished:
            return
        await live.shutdown()
        self._finished.append(live.id)
        while len(self._finished) > KEEP_FINISHED:
            self._live.pop(self._finished.popleft(), None)

    async def _serve(self, live: LiveSession, role: str, ws: web.WebSocketResponse) -> None:
        """Read a station's messages and handle them in order in a task of their own, so the
        connection goes on answering heartbeats and clock pings while a step waits its turn."""
        inbox: asyncio.Queue[m.Message | None] = asyncio.Queue()

        async def handle_in_order() -> None:
            while (message := await inbox.get()) is not None:
                await self._handle(live, role, message)

        worker = asyncio.create_task(handle_in_order())
        try:
            async for raw in ws:
                if raw.type is not WSMsgType.TEXT:
                    break
                arrived = self.clock.now()
                try:
                    message = m.parse(raw.data)
                except m.MessageError as exc:
                    log.warning("bad message from %s in %s: %s", role, live.id, exc)
                    await _refuse(ws, "bad_message", str(exc))
                    continue
                if isinstance(message, m.ClockPing):
                    await send(ws, m.ClockPong(message.t0, arrived, self.clock.now()))
                elif inbox.qsize() >= MAX_WAITING_MESSAGES:
                    await _refuse(ws, "too_many", "too many messages at once; joining again")
                    break
                else:
                    inbox.put_nowait(message)
        finally:
            inbox.put_nowait(None)
            await worker

    async def _await_join(self, ws: web.WebSocketResponse, live: LiveSession) -> str | None:
        try:
            raw = await ws.receive(timeout=JOIN_TIMEOUT)
            message = m.parse(raw.data) if raw.type is WSMsgType.TEXT else None
        except (TimeoutError, m.MessageError) as exc:
            await _refuse(ws, "bad_join", f"the first message must be a join: {exc}")
            return None
        if not isinstance(message, m.Join):
            await _refuse(ws, "bad_join", "the first message must be a join")
            return None
        if message.role not in live.machine.required_roles:
            await _refuse(ws, "not_a_party", f"the {message.role} is not a party to this session")
            return None
        if not self.tokens.check(live.id, message.role, message.token):
            log.warning("session %s: a join as %s with a wrong token", live.id, message.role)
            await live.log(message.role, "join_refused", {"reason": "bad token"})
            await _refuse(ws, "bad_token", "this station's join token is not valid for the session")
            return None
        earlier = live.sockets.get(message.role)
        if earlier is not None:
            # The same party joining again is a station reconnecting after its connection
            # broke (the hub may not have noticed yet): the new connection takes over.
            await _refuse(earlier, "superseded", "this station joined again on a new connection")
            await live.leave(message.role, earlier)
            await earlier.close()
        await live.join(message.role, ws)
        return message.role

    async def _handle(self, live: LiveSession, role: str, message: m.Message) -> None:
        try:
            match message:
                case m.Signal():
                    await live.relay_signal(role, message)
                case m.MediaOrigin():
                    await live.relay_origin(role, message)
                case m.RequestStep(step=step, reason=reason):
                    await live.request_step(role, step, reason)
                case _:
                    raise StepRefused("unexpected", f"a station does not send {message.type} here")
        except StepRefused as exc:
            await live.refuse(role, message.type, exc)


async def _refuse(ws: web.WebSocketResponse, code: str, message: str) -> None:
    await send(ws, m.Refused(code, message))
