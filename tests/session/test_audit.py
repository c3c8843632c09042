"""The hub's audit trail: every event logged, and any tampering found by 'audit verify'."""

from __future__ import annotations

import argparse
import json

import aiohttp
import pytest

from desktop.cli import audit as cli_audit
from session import messages as m
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store


@pytest.fixture
async def trail(tmp_path):
    """A short session's audit trail: three joins, a refused step, the room ready, leaving."""
    clock = HubClock()
    audit = AuditTrail.in_folder(tmp_path / "audit", clock)
    hub = Hub(
        Store(":memory:"),
        tmp_path / "recordings",
        clock,
        audit=audit,
        recorders=composite_recorders(),
        accounts=AccountStore(":memory:"),
    )
    await hub.start()
    session_id = await hub.create_session("C-audit")
    async with aiohttp.ClientSession() as http:
        sockets = []
        for role in ("suspect", "prosecutor", "lawyer"):
            ws = await http.ws_connect(f"{hub.url}/ws/sessions/{session_id}")
            await ws.send_str(m.Join(role, hub.tokens.issue(session_id, role)).to_json())
            await ws.receive()
            sockets.append(ws)
        await sockets[0].send_str(m.RequestStep("close").to_json())
        while m.parse((await sockets[0].receive()).data).type != "refused":
            pass
        for ws in sockets:
            await ws.close()
    await hub.close()
    return audit.path(session_id), tmp_path / "audit" / "audit-key.pub.pem"


def verify(path, trust=None) -> int:
    parser = argparse.ArgumentParser()
    cli_audit.register(parser.add_subparsers())
    argv = ["audit", "verify", str(path)] + (["--trust", str(trust)] if trust else [])
    args = parser.parse_args(argv)
    return args.run(args)


def events(path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_every_event_of_the_session_is_in_the_trail_in_order(trail):
    path, _ = trail
    logged = [(e["role"], e["event"]) for e in events(path)]
    assert logged[:3] == [("suspect", "joined"), ("prosecutor", "joined"), ("lawyer", "joined")]
    assert ("hub", "state") in logged and ("recorder", "recording_started") in logged
    assert ("suspect", "refused") in logged
    assert logged.count(("suspect", "left")) == 1
    times = [e["details"]["session_time"] for e in events(path)]
    assert times == sorted(times)


def test_an_untouched_trail_verifies_against_the_hubs_key(trail, capsys):
    path, key = trail
    assert verify(path, key) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ["alter", "remove", "reorder"])
def test_any_tampering_is_found(trail, capsys, tamper):
    path, key = trail
    lines = path.read_bytes().splitlines()
    if tamper == "alter":
        lines[3] = lines[3].replace(b'"joined"', b'"left"').replace(b'"state"', b'"stale"')
        lines[3] = lines[3].replace(b"session_time", b"session_tim3")
    elif tamper == "remove":
        del lines[2]
    else:
        lines[2], lines[3] = lines[3], lines[2]
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert verify(path, key) == 1
    assert "NOT INTACT" in capsys.readouterr().out


def test_a_trail_signed_with_another_key_is_not_trusted(trail, tmp_path, capsys):
    path, _ = trail
    stranger = AuditTrail.in_folder(tmp_path / "elsewhere", HubClock())
    stranger.record("x", "hub", "hub", "noop", 0.0)
    assert verify(path, tmp_path / "elsewhere" / "audit-key.pub.pem") == 1
