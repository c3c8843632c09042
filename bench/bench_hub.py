"""Signaling load on the hub: many sessions of three stations each, without media.

The hub runs as ``serve_hub`` does (SQLite store, signed audit trail, TLS with ``--tls``) in a
process of its own pinned to core 0; simulated stations run in one or more processes pinned to
core 1 and reach it over 127.0.0.1. Only the recorder is replaced, in the hub process alone:
when the room is ready the machine is told at once that recording has begun, as the real
recorder's feed would when pictures from every party arrive.

Every request is authorised as on a real hub: the simulated detention-centre staff and the
three parties' accounts sign in once per station process (``POST /api/login``, argon2id);
each of SESSIONS slots books a session over ``POST /api/sessions`` as the staff, naming the
parties' accounts, gets each party its own join (``POST /api/sessions/{id}/join``), joins its
suspect, prosecutor and lawyer, and plays the session through to closed with a pause of 1-2 s before
each step (see ``SCRIPT``), then books the next one; slots start staggered over the warm-up.
Every station does what a real one does on the wire: a burst of clock pings at joining then one
every 2 s, WebSocket heartbeats every 2 s, an offer to each party already present (a real aiortc
offer padded with candidate lines to about 4 KB) answered by the other, and media_origin reports
every 5 s for audio and video to each peer and to the recorder. No offer goes to the recorder:
it would start real WebRTC in the hub.

Latencies are taken at the stations (one CLOCK_MONOTONIC for every process): clock_ping to
clock_pong; join to welcome; an offer or answer from its sender to its addressee; a
media_origin likewise; request_step to the state broadcast at each party and at the last of
the three; booking and each party's join over HTTP; signing in.

    .venv/bin/python bench/bench_hub.py [SESSIONS] [SECONDS] [--tls] [--clients N]
                                        [--warmup S] [--sqlite-wal]

SESSIONS defaults to 100, SECONDS (the measured window, after the warm-up) to 60. Besides the
latencies it prints the messages per second through the hub, the CPU of each process as cores
(and how long each waited for its core: other work on the machine), the hub database thread's
queue, and what the hub logged. ``--sqlite-wal`` is a what-if for the store's journal mode.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from proc_cpu import process_cpu, stat_cpu

from session import messages as m
from session.machine import REQUIRED_ROLES, State, Step

HUB_CORE, STATION_CORE = 0, 1
#: The accounts of the benchmark: the staff who book, and each party's; one password.
STAFF = "bench-staff"
PARTS = {"suspect": "bench-room", "prosecutor": "bench-prosecutor", "lawyer": "bench-lawyer"}
PASSWORD = "bench password, loopback only"
STEP_PAUSE = (1.0, 2.0)
SDP_BYTES = 4096
TIMEOUT = 15.0
#: The steps of ``session.station.script`` by the prosecutor, with a private consultation in the
#: hearing. Before presenting, the prosecutor loads the agreement's PDF over HTTP and the others
#: fetch it. Signatures travel on the data channel to the hub's recorder peer, which needs WebRTC,
#: so the agreement is declined once presented and the session closes on the no-agreement path.
SCRIPT: tuple[tuple[str, Step, tuple[State, ...]], ...] = (
    ("prosecutor", Step.ANNOUNCE, (State.ANNOUNCED,)),
    ("prosecutor", Step.NOTIFY_RIGHTS, (State.RIGHTS_NOTIFIED,)),
    ("prosecutor", Step.BEGIN_HEARING, (State.HEARING,)),
    ("lawyer", Step.BEGIN_CONSULTATION, (State.PRIVATE_CONSULTATION,)),
    ("lawyer", Step.END_CONSULTATION, (State.HEARING,)),
    ("prosecutor", Step.PRESENT_AGREEMENT, (State.AGREEMENT_PRESENTED,)),
    ("prosecutor", Step.DECLINE_AGREEMENT, (State.NO_AGREEMENT_PATH,)),
    ("prosecutor", Step.CLOSE, (State.CLOSING, State.CLOSED)),
)
#: Latencies of one WebSocket message (or request and reply); the headline percentiles.
MESSAGE_KINDS = ("clock ping/pong", "join/welcome", "offer/answer relay", "media_origin relay",
                 "step -> each party")  # fmt: skip


# -- the hub process ------------------------------------------------------------------------


def add_accounts(data_dir: Path) -> None:
    """The benchmark's sites and accounts, in the hub's database."""
    from session.accounts.model import Role, Site, SiteKind
    from session.accounts.store import AccountStore

    data_dir.mkdir(parents=True, exist_ok=True)
    store = AccountStore(data_dir / "hub.sqlite3")
    store.add_site(Site("centre", "看守所", SiteKind.DETENTION_CENTRE))
    store.add_site(Site("procuratorate", "检察院", SiteKind.PROCURATORATE))
    store.add_site(Site("legal-aid", "法律援助中心", SiteKind.LAW_FIRM))
    for username, role, site, room in (
        (STAFF, Role.STAFF, "centre", ""),
        (PARTS["suspect"], Role.TERMINAL, "centre", "R1"),
        (PARTS["prosecutor"], Role.PROSECUTOR, "procuratorate", ""),
        (PARTS["lawyer"], Role.LAWYER, "legal-aid", ""),
    ):
        store.add_account(username, username, role, site, PASSWORD, room)
    store.close()


def hub_process(data_dir: Path, wal: bool) -> None:
    """Serve a hub as ``pleadesk hub serve`` does, with the recorder stood in for; at the end
    write how long each job waited for and took on the hub's database thread. With ``wal``,
    SQLite journals ahead and syncs only at checkpoints (a what-if, not the hub's setting)."""
    from session.hub.live import LiveSession
    from session.hub.runner import serve_hub
    from session.hub.server import Hub

    async def start_recorder(self: LiveSession) -> None:
        # What the real recorder leaves behind on the session, minus the file: the audit
        # entry, then (on its feed, outside the step being applied) "recording has begun".
        self._bench_recording = True  # type: ignore[attr-defined]
        await self.log("recorder", "recording_started", {"file": f"{self.id}.mkv"})
        self._recorder_receiving()

    async def stop_recorder(self: LiveSession) -> None:
        if getattr(self, "_bench_recording", False):
            self._bench_recording = False  # type: ignore[attr-defined]
            await self.log("recorder", "recording_closed", {"file": f"{self.id}.mkv"})

    jobs: list[tuple[float, float, float]] = []  # (queued, started, finished)
    in_db = Hub.in_db

    async def timed_in_db(self: Hub, func: Any, *args: Any) -> Any:
        queued = time.monotonic()

        def job() -> Any:
            started = time.monotonic()
            try:
                return func(*args)
            finally:
                jobs.append((queued, started, time.monotonic()))

        return await in_db(self, job)

    LiveSession._start_recorder = start_recorder  # type: ignore[method-assign]
    LiveSession._stop_recorder = stop_recorder  # type: ignore[method-assign]
    Hub.in_db = timed_in_db  # type: ignore[method-assign]
    if wal:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        @event.listens_for(Engine, "connect")
        def write_ahead(connection: Any, _: Any) -> None:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")

    try:
        asyncio.run(serve_hub(data_dir, "127.0.0.1", 0, insecure_loopback=True))
    finally:
        (data_dir / "db-jobs.json").write_text(json.dumps(jobs))


def db_report(jobs: list[list[float]], start: float, end: float) -> None:
    """Print how busy the database thread was and how long jobs queued for it."""
    inside = [(q, s, f) for q, s, f in jobs if start <= q < end]
    if not inside:
        return
    waits = sorted(s - q for q, s, _ in inside)
    runs = sorted(f - s for _, s, f in inside)
    print(f"hub database thread: {len(inside) / (end - start):.0f} jobs/s, busy "
          f"{sum(runs) / (end - start):.0%} of the window; job ms p50/p99/max: queued "
          f"{_ms(waits)}, running {_ms(runs)}")  # fmt: skip


def _ms(ordered: list[float]) -> str:
    return "/".join(f"{percentile(ordered, q) * 1000:.1f}" for q in (0.5, 0.99, 1.0))


# -- the station processes ------------------------------------------------------------------


class Tally:
    """What one station process saw: latencies by kind, messages counted in the window."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.samples: dict[str, list[float]] = collections.defaultdict(list)
        self.sent = self.received = 0
        self.counts: collections.Counter[str] = collections.Counter()

    def in_window(self, t: float) -> bool:
        """Whether monotonic time ``t`` is inside the measured window."""
        return self.start <= t < self.end

    def latency(self, kind: str, sent_at: float, now: float | None = None) -> None:
        """One latency, kept if its message was sent inside the window."""
        if self.in_window(sent_at):
            self.samples[kind].append((now or time.monotonic()) - sent_at)

    def to_json(self) -> dict[str, Any]:
        """The tally for the parent process."""
        return {"samples": self.samples, "sent": self.sent, "received": self.received,
                "counts": self.counts}  # fmt: skip


class Context:
    """What every session of a station process shares."""

    def __init__(
        self, plan: dict[str, Any], http: aiohttp.ClientSession, sdp: str, agreement: bytes
    ) -> None:
        self.url = plan["url"]
        self.stop_at = plan["start_at"] + plan["warmup"] + plan["seconds"]
        self.tally = Tally(plan["start_at"] + plan["warmup"], self.stop_at)
        self.http = http
        self.sdp, self.agreement = sdp, agreement
        self.tls: Any = True
        if plan["ca"]:
            from session.tls import client_context

            self.tls = client_context(Path(plan["ca"]))
        #: Each account's request headers, once signed in.
        self.headers: dict[str, dict[str, str]] = {}

    async def sign_in(self) -> None:
        """Sign every account in, as each desk and station does once a day."""
        for username in (STAFF, *PARTS.values()):
            sent_at = time.monotonic()
            body = {"username": username, "password": os.environ["BENCH_PASSWORD"]}
            async with self.http.post(f"{self.url}/api/login", json=body, ssl=self.tls) as r:
                r.raise_for_status()
                token = (await r.json())["token"]
            self.tally.latency("sign-in (HTTP, argon2id)", sent_at)
            self.headers[username] = {"Authorization": f"Bearer {token}"}

    def running(self) -> bool:
        """Whether sessions should go on."""
        return time.monotonic() < self.stop_at


async def sample_sdp() -> str:
    """A real aiortc offer for audio and video, padded with host candidates to ~4 KB."""
    from session.rtc.network import DIRECT, restrict_media_addresses

    restrict_media_addresses()
    pc = DIRECT.peer_connection()
    pc.addTransceiver("audio")
    pc.addTransceiver("video")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    extra, n = [], 0
    while len(sdp) + sum(map(len, extra)) < SDP_BYTES:
        n += 1
        extra.append(f"a=candidate:{n:08x} 1 udp 2130706431 10.{n}.20.{n} {40000 + n} typ host\r\n")
    return sdp.replace("a=end-of-candidates\r\n", "".join(extra) + "a=end-of-candidates\r\n", 1)


def stamped(sdp: str, at: float) -> str:
    """The SDP with its origin line's session id set to ``at`` in microseconds."""
    lines = sdp.split("\r\n", 2)
    lines[1] = f"o=- {int(at * 1e6)} 0 IN IP4 0.0.0.0"
    return "\r\n".join(lines)


def stamp_of(sdp: str) -> float:
    """The send time :func:`stamped` put in an SDP."""
    return int(sdp.split("\r\n", 2)[1].split()[1]) / 1e6


class SessionRun:
    """One session's state broadcasts as each party receives them, and the step being timed."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.history: dict[str, list[str]] = {role: [] for role in REQUIRED_ROLES}
        self._timed: tuple[int, float, str] | None = None
        self._want = 0
        self._waiter: asyncio.Future[None] | None = None

    def count(self) -> int:
        """How many broadcasts every party has received."""
        return min(len(h) for h in self.history.values())

    def time_next(self, index: int, sent_at: float, kind: str) -> None:
        """Time broadcast number ``index`` from ``sent_at``."""
        self._timed = (index, sent_at, kind)

    def state_arrived(self, role: str, state: str, now: float) -> None:
        """A party received a state broadcast."""
        self.history[role].append(state)
        if self._timed is not None and len(self.history[role]) == self._timed[0]:
            index, sent_at, kind = self._timed
            self.tally.latency(f"{kind} -> each party", sent_at, now)
            if self.count() == index:
                self.tally.latency(f"{kind} -> all three", sent_at, now)
        if self._waiter is not None and not self._waiter.done() and self.count() >= self._want:
            self._waiter.set_result(None)

    async def reached(self, count: int) -> None:
        """Wait until every party has received ``count`` broadcasts."""
        if self.count() >= count:
            return
        self._want, self._waiter = count, asyncio.get_running_loop().create_future()
        await asyncio.wait_for(self._waiter, TIMEOUT)


class SimStation:
    """One party's station on the wire: signaling and clock, no media."""

    def __init__(self, ctx: Context, run: SessionRun, session_id: str, role: str) -> None:
        self.ctx, self.run, self.role = ctx, run, role
        self.session_id = session_id
        self.present: set[str] = set()
        self._offers_due: list[str] | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def join(self, token: str) -> None:
        """Connect, join and wait for the welcome."""
        url = f"{self.ctx.url}/ws/sessions/{self.session_id}"
        self.ws = await self.ctx.http.ws_connect(
            url, max_msg_size=m.MAX_MESSAGE_BYTES, ssl=self.ctx.tls, heartbeat=2.0
        )
        sent_at = time.monotonic()
        await self.send(m.Join(self.role, token))
        raw = await self.ws.receive(timeout=TIMEOUT)
        if raw.type is not aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"no welcome: {raw.type.name} {raw.data}")
        welcome = json.loads(raw.data)
        if welcome["type"] != "welcome":
            raise RuntimeError(f"join refused: {welcome}")
        self._count_received()
        self.ctx.tally.latency("join/welcome", sent_at)
        self.present = set(welcome["present"])
        self._offers_due = sorted(self.present)

    async def agreement(self, token: str, load: bool) -> None:
        """Load the agreement's PDF at the hub (the prosecutor) or fetch it (the others)."""
        url = f"{self.ctx.url}/api/sessions/{self.session_id}/agreement"
        headers = {"Authorization": f"Bearer {token}"}
        sent_at = time.monotonic()
        if load:
            request = self.ctx.http.put(
                url, data=self.ctx.agreement, headers=headers, ssl=self.ctx.tls
            )
        else:
            request = self.ctx.http.get(url, headers=headers, ssl=self.ctx.tls)
        async with request as reply:
            reply.raise_for_status()
            await reply.read()
        self.ctx.tally.latency(f"agreement {'load' if load else 'fetch'} (HTTP)", sent_at)

    async def send(self, message: m.Message) -> None:
        """Send one message to the hub."""
        assert self.ws is not None
        await self.ws.send_str(message.to_json())
        if self.ctx.tally.in_window(time.monotonic()):
            self.ctx.tally.sent += 1

    async def take_part(self) -> None:
        """Read what the hub sends, ping its clock and report media origins until closed."""
        assert self.ws is not None
        try:
            async with asyncio.TaskGroup() as group:
                beats = [group.create_task(self._ping()), group.create_task(self._origins())]
                async for raw in self.ws:
                    if raw.type is not aiohttp.WSMsgType.TEXT:
                        break
                    self._count_received()
                    await self._handle(json.loads(raw.data))
                for task in beats:
                    task.cancel()
            if self.ws.exception() is not None and self.ctx.running():
                lost = f"connection lost ({self.role}): {self.ws.exception()}"
                self.ctx.tally.counts[lost] += 1
        finally:
            await self.ws.close()

    def _count_received(self) -> None:
        if self.ctx.tally.in_window(time.monotonic()):
            self.ctx.tally.received += 1

    async def _handle(self, message: dict[str, Any]) -> None:
        now, tally = time.monotonic(), self.ctx.tally
        match message["type"]:
            case "clock_pong":
                tally.latency("clock ping/pong", message["t0"], now)
                due, self._offers_due = self._offers_due, None
                for peer in due or ():  # a real station offers once its clock is synchronized
                    await self.send(
                        m.Signal(peer, "offer", stamped(self.ctx.sdp, time.monotonic()))
                    )
            case "signal":
                tally.latency("offer/answer relay", stamp_of(message["sdp"]), now)
                if message["kind"] == "offer":
                    answer = stamped(self.ctx.sdp, time.monotonic())
                    await self.send(m.Signal(message["peer"], "answer", answer))
            case "media_origin":
                tally.latency("media_origin relay", message["capture_time"], now)
            case "state":
                self.run.state_arrived(self.role, message["state"], now)
            case "peer_joined":
                self.present.add(message["role"])
            case "peer_left":
                self.present.discard(message["role"])
            case "refused":
                tally.counts[f"refused {message['code']}"] += 1

    async def _ping(self) -> None:
        for n in itertools.count():
            await self.send(m.ClockPing(time.monotonic()))
            await asyncio.sleep(0.05 if n < 5 else 2.0)

    async def _origins(self) -> None:
        first = time.monotonic()
        await asyncio.sleep(random.uniform(0.1, 1.0))
        while True:
            for peer in sorted(self.present | {m.RECORDER}):
                for kind in ("audio", "video"):
                    now = time.monotonic()
                    await self.send(m.MediaOrigin(peer, kind, now, now - first))
            await asyncio.sleep(5.0)


async def play_session(ctx: Context, case_number: str) -> None:
    """Book a session, join its three parties and play it through to closed."""
    sent_at = time.monotonic()
    booking = {"case_number": case_number, "parties": PARTS}
    async with ctx.http.post(
        f"{ctx.url}/api/sessions", json=booking, headers=ctx.headers[STAFF], ssl=ctx.tls
    ) as reply:
        reply.raise_for_status()
        session_id = (await reply.json())["session_id"]
    ctx.tally.latency("booking (HTTP)", sent_at)
    tokens = {}
    for role, username in PARTS.items():
        sent_at = time.monotonic()
        async with ctx.http.post(
            f"{ctx.url}/api/sessions/{session_id}/join",
            headers=ctx.headers[username],
            ssl=ctx.tls,
        ) as reply:
            reply.raise_for_status()
            tokens[role] = (await reply.json())["token"]
        ctx.tally.latency("own join (HTTP)", sent_at)
    run = SessionRun(ctx.tally)
    stations = {role: SimStation(ctx, run, session_id, role) for role in REQUIRED_ROLES}
    async with asyncio.TaskGroup() as group:
        try:
            for role, station in stations.items():
                await station.join(tokens[role])
                group.create_task(station.take_part())
            await run.reached(2)  # room_ready, then recording
            await _walk(ctx, run, stations, tokens)
        finally:
            for station in stations.values():
                if station.ws is not None:
                    await station.ws.close()


async def _walk(
    ctx: Context, run: SessionRun, stations: dict[str, SimStation], tokens: dict[str, str]
) -> None:
    for role, action, states in SCRIPT:
        await asyncio.sleep(random.uniform(*STEP_PAUSE))
        if not ctx.running():
            return
        if action is Step.PRESENT_AGREEMENT:
            await stations[role].agreement(tokens[role], load=True)
        done = run.count()
        run.time_next(done + 1, time.monotonic(), "step")
        await stations[role].send(m.RequestStep(action))
        await run.reached(done + len(states))
        got = run.history["prosecutor"][done : done + len(states)]
        if got != list(states):
            raise RuntimeError(f"{action}: expected {list(states)}, the hub sent {got}")
        if action is Step.PRESENT_AGREEMENT:  # each party is shown what is presented
            for other in ("suspect", "lawyer"):
                await stations[other].agreement(tokens[other], load=False)
    ctx.tally.counts["sessions closed"] += 1


async def keep_slot(ctx: Context, slot: int, start: float) -> None:
    """Play one session after another from ``start`` until the window ends."""
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    for n in itertools.count():
        if not ctx.running():
            return
        try:
            await play_session(ctx, f"BENCH-{slot}-{n}")
        except Exception as exc:  # counted and reported; the slot books a new session
            while isinstance(exc, ExceptionGroup):
                exc = exc.exceptions[0]
            if ctx.running():
                ctx.tally.counts[f"failed: {type(exc).__name__}: {exc}"[:120]] += 1
                await asyncio.sleep(1.0)


async def watch_loop(ctx: Context) -> None:
    """How late this process's event loop wakes: if the stations lag, latencies lie."""
    while ctx.running():
        before = time.monotonic()
        await asyncio.sleep(0.05)
        ctx.tally.latency("station loop lag", before + 0.05)


async def stations_main(plan: dict[str, Any], sdp: str, agreement: bytes) -> dict[str, Any]:
    """Run this process's slots and return its tally."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        ctx = Context(plan, http, sdp, agreement)
        await ctx.sign_in()
        first, count = plan["slots"]
        total, ramp = plan["total_slots"], plan["warmup"] * 0.8
        starts = {s: plan["start_at"] + ramp * s / total for s in range(first, first + count)}
        async with asyncio.TaskGroup() as group:
            group.create_task(watch_loop(ctx))
            for slot, start in starts.items():
                group.create_task(keep_slot(ctx, slot, start))
        return ctx.tally.to_json()


def stations_process(plan: dict[str, Any]) -> None:
    """Entry of a station process: prepare, say ``ready``, take the start time from stdin, run,
    and print the tally as JSON on stdout."""
    from session.station.runner import demo_agreement_pdf

    sdp = asyncio.run(sample_sdp())
    agreement = demo_agreement_pdf("BENCH-1", "00000000-0000-0000-0000-000000000000")
    print("ready", flush=True)
    plan["start_at"] = float(sys.stdin.readline())
    print(json.dumps(asyncio.run(stations_main(plan, sdp, agreement))), flush=True)


# -- the parent: start, sample, report ------------------------------------------------------


def thread_times(pid: int) -> tuple[dict[str, float], float]:
    """CPU seconds of the threads of ``pid`` by name, and the seconds its threads were ready
    to run but waited for a core (taken by other processes)."""
    cpu: dict[str, float] = collections.defaultdict(float)
    waited = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            used = stat_cpu((task / "stat").read_text())
            waited += int((task / "schedstat").read_text().split()[1]) / 1e9
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        name = "event loop" if task.name == str(pid) else "other threads"  # the database's
        cpu[name] += used
    return cpu, waited


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pinned(core: int) -> Any:
    """A ``preexec_fn`` that pins the child to ``core`` before it starts."""
    return lambda: os.sched_setaffinity(0, {core})


def percentile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))]


def report(tallies: list[dict[str, Any]], seconds: float) -> None:
    """Print the latency table and message rates."""
    samples: dict[str, list[float]] = collections.defaultdict(list)
    for tally in tallies:
        for kind, values in tally["samples"].items():
            samples[kind] += values
    samples["ALL MESSAGES"] = [v for kind in MESSAGE_KINDS for v in samples.get(kind, [])]
    print(f"{'latency, ms':<26}{'count':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for kind in sorted(samples, key=lambda k: (k == "ALL MESSAGES", k)):
        ordered = sorted(samples[kind])
        if not ordered:
            continue
        cells = [percentile(ordered, q) * 1000 for q in (0.5, 0.95, 0.99)] + [ordered[-1] * 1000]
        print(f"{kind:<26}{len(ordered):>8}" + "".join(f"{c:8.1f}" for c in cells))
    sent = sum(t["sent"] for t in tallies)
    received = sum(t["received"] for t in tallies)
    print(f"messages to the hub {sent / seconds:.0f}/s, from the hub {received / seconds:.0f}/s, "
          f"together {(sent + received) / seconds:.0f}/s")  # fmt: skip
    counts: collections.Counter[str] = collections.Counter()
    for tally in tallies:
        counts.update(tally["counts"])
    for name, n in sorted(counts.items()):
        print(f"  {name}: {n}")


def start_hub(data_dir: Path, log: Path, wal: bool) -> tuple[subprocess.Popen[str], str]:
    """Start the hub process on its core and return it with its URL."""
    hub = subprocess.Popen(
        [sys.executable, __file__, "_hub", str(data_dir), *(["wal"] if wal else [])],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True, preexec_fn=pinned(HUB_CORE),
    )  # fmt: skip
    assert hub.stdout is not None
    line = hub.stdout.readline()
    if "hub at" not in line:
        hub.kill()
        raise SystemExit(f"the hub did not start: {line!r}\n{log.read_text()}")
    return hub, line.split("hub at", 1)[1].strip()


def sample(hub: int, clients: list[int]) -> dict[str, Any]:
    """The processes' CPU seconds, the hub's per thread and its wait for a core, its memory."""
    threads, waited = thread_times(hub)
    return {"hub": process_cpu(hub), "threads": threads, "waited": waited, "rss": rss_mib(hub),
            "clients": [process_cpu(pid) for pid in clients],
            "clients_waited": [thread_times(pid)[1] for pid in clients]}  # fmt: skip


def usage_report(before: dict[str, Any], after: dict[str, Any], seconds: float) -> None:
    """Print CPU as cores over the window, the hub's by thread, and its memory."""
    threads = ", ".join(f"{name} {(cpu - before['threads'].get(name, 0.0)) / seconds:.2f}"
                        for name, cpu in sorted(after["threads"].items()))  # fmt: skip
    clients = zip(before["clients"], after["clients"], strict=True)
    waits = zip(before["clients_waited"], after["clients_waited"], strict=True)
    print(f"hub CPU {(after['hub'] - before['hub']) / seconds:.2f} cores ({threads}); ready "
          f"but waiting for its core {(after['waited'] - before['waited']) / seconds:.2f} s/s; "
          "station processes "
          + ", ".join(f"{(b - a) / seconds:.2f}" for a, b in clients) + " cores, waiting for "
          "theirs " + ", ".join(f"{(b - a) / seconds:.2f}" for a, b in waits) + " s/s")  # fmt: skip
    print(f"hub memory {before['rss']:.0f} -> {after['rss']:.0f} MiB over the window")


def start_stations(args: argparse.Namespace, url: str, ca: str | None) -> tuple[list, float]:
    """Start the station processes on their core, the slots shared out between them; once all
    are ready, give them the start time and return them with it."""
    share = [args.sessions // args.clients + (i < args.sessions % args.clients)
             for i in range(args.clients)]  # fmt: skip
    clients = []
    for i, count in enumerate(share):
        plan = {"url": url, "ca": ca, "warmup": args.warmup, "seconds": args.seconds,
                "slots": (sum(share[:i]), count), "total_slots": args.sessions}  # fmt: skip
        clients.append(subprocess.Popen(
            [sys.executable, __file__, "_stations", json.dumps(plan)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, preexec_fn=pinned(STATION_CORE),
            env={**os.environ, "BENCH_PASSWORD": PASSWORD},
        ))  # fmt: skip
    for client in clients:
        if client.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
            raise SystemExit("a station process did not start")
    start_at = time.monotonic() + 0.5
    for client in clients:
        client.stdin.write(f"{start_at}\n")  # type: ignore[union-attr]
        client.stdin.close()  # type: ignore[union-attr]
    return clients, start_at


def main(argv: list[str]) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sessions", nargs="?", type=int, default=100)
    parser.add_argument("seconds", nargs="?", type=float, default=60.0)
    parser.add_argument("--tls", action="store_true", help="serve over TLS, as a real hub does")
    parser.add_argument("--clients", type=int, default=1, help="station processes")
    parser.add_argument("--warmup", type=float, default=8.0, help="seconds before measuring")
    what_if = "what if: the hub's SQLite in WAL mode with synchronous=NORMAL"
    parser.add_argument("--sqlite-wal", action="store_true", help=what_if)
    args = parser.parse_args(argv)
    print(f"command: .venv/bin/python bench/bench_hub.py {shlex.join(argv)}")
    print("load before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as folder:
        data_dir = Path(folder) / "hub"
        ca = None
        if args.tls:
            from session.hub.runner import init_hub

            ca = str(init_hub(data_dir, ["127.0.0.1"]).ca_certificate)
        add_accounts(data_dir)
        hub, url = start_hub(data_dir, Path(folder) / "hub.log", args.sqlite_wal)
        clients, start_at = start_stations(args, url, ca)
        window = (start_at + args.warmup, start_at + args.warmup + args.seconds)
        time.sleep(max(0.0, window[0] - time.monotonic()))
        before = sample(hub.pid, [c.pid for c in clients])
        time.sleep(max(0.0, window[1] - time.monotonic()))
        after = sample(hub.pid, [c.pid for c in clients])
        load_after = os.getloadavg()
        tallies = [json.loads(c.stdout.read()) for c in clients]  # type: ignore[union-attr]
        for client in clients:
            client.wait(timeout=60)
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=60)
        hub_log = (Path(folder) / "hub.log").read_text().strip()
        jobs = json.loads((data_dir / "db-jobs.json").read_text())
    transport = ("TLS" if args.tls else "no TLS") + (", SQLite WAL" if args.sqlite_wal else "")
    print(f"{args.sessions} sessions ({3 * args.sessions} WebSockets), {transport}, measured "
          f"{args.seconds:g} s after {args.warmup:g} s of warm-up; hub on core {HUB_CORE}, "
          f"{args.clients} station process(es) on core {STATION_CORE}")  # fmt: skip
    report(tallies, args.seconds)
    db_report(jobs, *window)
    usage_report(before, after, args.seconds)
    print("load after:", " ".join(f"{x:.2f}" for x in load_after))
    log_report(hub_log)


def log_report(text: str) -> None:
    """Print what the hub logged, each distinct message once with its count (a traceback's
    last frame in the hub's own code and its exception stand for the traceback)."""
    said: collections.Counter[str] = collections.Counter()
    where = ""
    for line in text.splitlines():
        if line.startswith('  File "/') and "/site-packages/" not in line:
            where = line.strip()
        elif not line.startswith((" ", "Traceback")):
            said[f"{line[:150]}{f'  [{where}]' if where else ''}"] += 1
            where = ""
    for line, n in said.most_common(12):
        print(f"hub log x{n}: {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["_hub"]:
        hub_process(Path(sys.argv[2]), wal=sys.argv[3:4] == ["wal"])
    elif sys.argv[1:2] == ["_stations"]:
        stations_process(json.loads(sys.argv[2]))
    else:
        main(sys.argv[1:])
