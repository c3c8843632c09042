"""The hub's HTTP API against its own description: schemathesis generates requests from
``/api/openapi.json`` and every answer must be documented, to a stranger and to a signed-in
user alike; no request may make the hub fail."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from people import PARTS, PASSWORD, add_people
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from session.accounts.store import AccountStore
from session.hub.openapi import OPENAPI
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store

pytestmark = pytest.mark.slow  # hundreds of requests
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The agreement travels as bytes, as any other binary body does.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")
SCHEMA = schemathesis.openapi.from_dict(OPENAPI)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory) -> Iterator[str]:
    """A hub on its own thread's event loop (the requests are made synchronously)."""
    folder = tmp_path_factory.mktemp("hub")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    hub = Hub(
        Store(folder / "hub.sqlite3"), folder / "recordings", recorders=composite_recorders(),
        accounts=add_people(AccountStore(folder / "hub.sqlite3")), sign_in_pause=0.0,
    )  # fmt: skip

    async def start() -> str:
        url = await hub.start()
        await hub.create_session("C-api", assigned=PARTS, site="centre-a")
        return url

    yield asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    asyncio.run_coroutine_threadsafe(hub.close(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def credential(hub_url: str, username: str) -> dict[str, str]:
    answer = requests.post(
        f"{hub_url}/api/login", json={"username": username, "password": PASSWORD}, timeout=10
    )
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@pytest.mark.parametrize("who", ["stranger", "staff", "party"])
def test_every_answer_is_documented(hub_url, operation, who):
    headers = {
        "stranger": {},
        "staff": credential(hub_url, "staff-a"),
        "party": credential(hub_url, "prosecutor-1"),
    }[who]

    @settings(
        max_examples=25, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=operation.as_strategy())
    def check(case):
        if who != "stranger" and operation.label != "POST /api/logout":
            case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(base_url=hub_url, checks=CHECKS, timeout=10)

    check()
