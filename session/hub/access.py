"""Who is calling the hub: signing in and out, and the bearer credential of every request.

Routes that need an account call :func:`caller`, which resolves the request's ``Bearer``
credential to its :class:`~session.accounts.model.Account` (one look-up in the store, made only
where a route asks); only sign-in, the health check and the API description answer without one.
The stations' agreement routes and the WebSocket take a session's join token instead. Every
request passes :func:`access_middleware`, which answers a
:class:`~session.hub.permissions.Refused` raised by any route as JSON ``{"code", "message"}``
with its status.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from session.accounts.model import Account
from session.accounts.signin import MAX_TOKEN, SignIn, SignInRefused
from session.hub.permissions import Refused

log = logging.getLogger(__name__)

#: The hub's sign-in, where routes find who holds a credential.
SIGN_IN = web.AppKey("sign_in", SignIn)
#: Largest sign-in request read.
MAX_LOGIN_BYTES = 4096
SIGNED_OUT = "请先登录 / sign in first"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def bearer(request: web.Request) -> str:
    """The request's bearer token ('' if none, or one too long to be ours)."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return token if len(token) <= MAX_TOKEN else ""


def refusal(status: int, code: str, message: str) -> web.Response:
    """A refusal as the hub answers it: ``{"code", "message"}``."""
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    return web.Response(status=status, text=body, content_type="application/json")


async def caller(request: web.Request) -> Account:
    """The signed-in account calling; raises :class:`Refused` (401) if there is none."""
    token = bearer(request)
    account = await request.app[SIGN_IN].holder(token) if token else None
    if account is None:
        raise Refused(401, "signed_out", SIGNED_OUT)
    return account


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer a refusal raised by any route in the hub's words."""
    try:
        return await handler(request)
    except Refused as exc:
        return refusal(exc.status, exc.code, exc.message)


class AccessRoutes:
    """``/api/login``, ``/api/logout`` and ``/api/me``."""

    def __init__(self, sign_in: SignIn) -> None:
        self._sign_in = sign_in

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the hub's application."""
        return [
            web.post("/api/login", self.login),
            web.post("/api/logout", self.logout),
            web.get("/api/me", self.me),
        ]

    async def login(self, request: web.Request) -> web.Response:
        """``{"username", "password"}`` for ``{"token", "expires_at", "account"}``."""
        body = await request.content.read(MAX_LOGIN_BYTES + 1)
        try:
            if len(body) > MAX_LOGIN_BYTES:
                raise ValueError("too long")
            fields = json.loads(body)
            username, password = fields["username"], fields["password"]
            if not isinstance(username, str) or not isinstance(password, str):
                raise ValueError("not text")
        except (ValueError, KeyError, TypeError):
            raise Refused(400, "bad_request", "须提供用户名和密码 / send JSON with a username "
                          "and a password") from None  # fmt: skip
        try:
            credential = await self._sign_in.sign_in(username, password)
        except SignInRefused as exc:
            await asyncio.sleep(exc.pause)  # each refusal answered more slowly
            status = 423 if exc.code == "locked" else 401
            raise Refused(status, exc.code, exc.message) from None
        return web.json_response(
            {
                "token": credential.token,
                "expires_at": credential.expires_at,
                "account": credential.account.public(),
            }
        )

    async def logout(self, request: web.Request) -> web.Response:
        """The caller's credential stops working."""
        account = await caller(request)
        await self._sign_in.sign_out(bearer(request), account)
        return web.json_response({"signed_out": True})

    async def me(self, request: web.Request) -> web.Response:
        """Who the credential belongs to."""
        return web.json_response((await caller(request)).public())
