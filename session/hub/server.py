"""The hub: accounts, sessions, signaling, the authoritative state machine, the recorder peer.

One aiohttp application on the justice network (127.0.0.1 in the demo). People and terminals
sign in (``/api/login``, see ``session.hub.access``); staff and prosecutors book sessions naming
each party's account; each party asks for its own join (``/api/sessions/{id}/join``) and joins
over ``/ws/sessions/{id}``. The hub relays the stations' WebRTC offers and answers, keeps each
session's :class:`~session.machine.SessionMachine`, stores every state change, and runs the
recorder peer that receives every party (审录分离: the technical department's hub records, not
the prosecutor's station). Every route authorises (``session.hub.permissions``); the API is
described at ``/api/openapi.json``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from session import messages as m
from session.accounts.signin import FIRST_PAUSE, SignIn
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.access import SIGN_IN, AccessRoutes, access_middleware, bearer
from session.hub.audit import AuditTrail
from session.hub.feed import RecorderFactory
from session.hub.live import LiveSession, send
from session.hub.openapi import OPENAPI
from session.hub.permissions import Refused
from session.hub.sessions_api import CLOSED_WORDS, NO_SESSION, SessionRoutes
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
        accounts: AccountStore,
        tokens: TokenIssuer | None = None,
        record_consultation: bool = False,
        schedule: ScheduleStore | None = None,
        audit: AuditTrail | None = None,
        media_route: MediaRoute = DIRECT,
        sign_in_pause: float = FIRST_PAUSE,
    ) -> None:
        self.store = store
        self.accounts = accounts
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
        self.sign_in = SignIn(
            accounts, self.in_db, self._in_pool, self._record_access, time.time, sign_in_pause
        )
        self.app = web.Application(middlewares=[access_middleware])
        self.app[SIGN_IN] = self.sign_in
        self.app.add_routes(
            [
                *AccessRoutes(self.sign_in).routes(),
                web.get("/api/health", self._health),
                web.get("/api/openapi.json", self._openapi),
                *SessionRoutes(self).routes(),
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
        assigned: dict[str, str] | None = None,
        day: str = "",
        site: str = "",
    ) -> str:
        """Schedule a session for these parties and return its id; ``assigned``: the account
        (user name) taking each part, ``day`` the date it is held, ``site`` its centre.

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
        return await self.in_db(
            self.store.create_session, case_number, self.clock.wall(), ordered, minor,
            assigned or {}, day or date.today().isoformat(), site,
        )  # fmt: skip

    def live(self, session_id: str) -> LiveSession | None:
        """The live state of a session that has had a party join."""
        return self._live.get(session_id)

    async def in_db(self, func: Any, *args: Any) -> Any:
        """Run blocking store work on the hub's one database thread, in order."""
        return await asyncio.get_running_loop().run_in_executor(self._db, func, *args)

    async def _in_pool(self, func: Any, *args: Any) -> Any:
        """Blocking work that must not hold up the database thread (a password check)."""
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)

    async def _record_access(
        self, event: str, username: str, role: str, details: dict[str, Any]
    ) -> None:
        """An entry of the access audit trail (``access.audit.jsonl``): sign-ins, failures,
        locks, sign-outs and refused joins."""
        log.info("access: %s %s %s", event, username, details)
        if self.audit is not None:
            at = self.clock.now()
            await self.in_db(self.audit.record, "access", username, role, event, at, details)

    async def _live_session(self, session_id: str) -> LiveSession | None:
        """The session's runtime, made on first use; raises :class:`_SessionClosed` for a
        session that is over, in memory or only in the store (it is never opened again)."""
        live = self._live.get(session_id)
        if live is None:
            record = await self.in_db(self.store.session, session_id)
            if record is None:
                return None
            if record.state == State.CLOSED.value:
                raise _SessionClosed
            begun = record.state != State.SCHEDULED.value  # the hub stopped during it
            changes = await self.in_db(self.store.state_changes, session_id) if begun else []
            signed = await self.in_db(self.store.signatures, session_id) if begun else {}
            # Another station of the same session may have got here while the store answered.
            live = self._live.get(session_id)
            if live is None:
                live = self._live[session_id] = LiveSession(
                    record,
                    self.recordings_dir,
                    self.clock,
                    self.in_db,
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

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _openapi(self, _request: web.Request) -> web.Response:
        return web.json_response(OPENAPI)

    async def _put_agreement(self, request: web.Request) -> web.Response:
        """The prosecutor's station loads the agreement's PDF, bytes as the body."""
        live, role = await self._party(request)
        pdf = bytearray()
        async for chunk in request.content.iter_chunked(1 << 16):
            pdf += chunk
            if len(pdf) > MAX_AGREEMENT_BYTES:
                raise Refused(413, "too_large", f"具结书文件过大 / the agreement is larger than "
                              f"{MAX_AGREEMENT_BYTES // (1 << 20)} MiB")  # fmt: skip
        if not pdf.startswith(b"%PDF-"):
            raise Refused(400, "not_a_pdf", "具结书须为 PDF 文件 / the agreement must be a PDF")
        try:
            sha256 = await live.load_agreement(role, bytes(pdf))
        except StepRefused as exc:
            raise Refused(403 if exc.code == "wrong_role" else 409, exc.code, exc.message) from None
        return web.json_response({"sha256": sha256})

    async def _get_agreement(self, request: web.Request) -> web.Response:
        """Any party's station fetches the agreement it is shown and signs."""
        live, _ = await self._party(request)
        if live.agreement is None:
            raise Refused(404, "no_agreement", "检察官尚未载入具结书 / the prosecutor has not "
                          "loaded the agreement yet")  # fmt: skip
        return web.Response(body=live.agreement, content_type="application/pdf")

    async def _party(self, request: web.Request) -> tuple[LiveSession, str]:
        """The session asked about and the party whose join token authorises the request; the
        token is checked before the session is touched."""
        session_id = request.match_info["id"]
        known = self._live.get(session_id)
        record = None if known else await self.in_db(self.store.session, session_id)
        parties = known.machine.required_roles if known else record.parties if record else ()
        token = bearer(request)
        role = next((r for r in parties if self.tokens.check(session_id, r, token)), None)
        if role is None:
            raise Refused(403, "bad_token", "此工作站的加入凭证对该会见无效 / this station's join "
                          "token is not valid for the session")  # fmt: skip
        try:
            live = await self._live_session(session_id)
        except _SessionClosed:
            raise Refused(410, "session_closed", CLOSED_WORDS) from None
        if live is None:
            raise Refused(404, "unknown_session", NO_SESSION)
        return live, role

    # -- WebSocket signaling ------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=m.MAX_MESSAGE_BYTES, heartbeat=10)
        await ws.prepare(request)
        session_id = request.match_info["id"]
        # The join is checked before the session is touched: an unknown caller wakes no
        # recorder, makes no session object and writes nothing in the session's trail.
        role = await self._await_join(ws, session_id)
        if role is None:
            await ws.close()
            return ws
        try:
            live = await self._live_session(session_id)
        except _SessionClosed:
            await _refuse(ws, "session_closed", CLOSED_WORDS)
            await ws.close()
            return ws
        if live is None or role not in live.machine.required_roles:
            if live is None:
                await _refuse(ws, "unknown_session", NO_SESSION)
            else:
                await _refuse(ws, "not_a_party", f"the {role} is not a party to this session")
            await ws.close()
            return ws
        await self._take_over(live, role, ws)
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

    async def _await_join(self, ws: web.WebSocketResponse, session_id: str) -> str | None:
        """The role a station's first message joins as, if its join token is the session's."""
        try:
            raw = await ws.receive(timeout=JOIN_TIMEOUT)
            message = m.parse(raw.data) if raw.type is WSMsgType.TEXT else None
        except (TimeoutError, m.MessageError) as exc:
            await _refuse(ws, "bad_join", f"the first message must be a join: {exc}")
            return None
        if not isinstance(message, m.Join):
            await _refuse(ws, "bad_join", "the first message must be a join")
            return None
        if not self.tokens.check(session_id, message.role, message.token):
            details = {"session": session_id[:64], "reason": "bad token"}
            await self._record_access("join_refused", "", message.role, details)
            await _refuse(ws, "bad_token", "此工作站的加入凭证对该会见无效 / this station's join "
                          "token is not valid for the session")  # fmt: skip
            return None
        return message.role

    async def _take_over(self, live: LiveSession, role: str, ws: web.WebSocketResponse) -> None:
        """``role`` joins on ``ws``. The same party joining again is a station reconnecting
        after its connection broke (the hub may not have noticed yet): the new connection takes
        over."""
        earlier = live.sockets.get(role)
        if earlier is not None:
            await _refuse(earlier, "superseded", "this station joined again on a new connection")
            await live.leave(role, earlier)
            await earlier.close()
        await live.join(role, ws)

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
