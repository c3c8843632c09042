"""``pleadesk demo``: a whole remote plea session on one machine, with synthetic devices.

The hub and its recorder run in this process; the suspect, prosecutor and lawyer stations are
three processes of their own that reach the hub over TLS on 127.0.0.1 (under a CA the demo
makes), exactly as stations in three buildings would. The session is booked from the schedule,
and the detention centre registers bringing the suspect in (提押) before it and back (还押)
after it. When the session is closed, the signed agreement is made from the handwriting the
hub received, the recording statement states the registered custody times, and the recording
and the documents are sealed into an encrypted archive on a disc image. Every stage is timed;
a failed stage stops the demo with a message saying which.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from desktop.demo.accounts import PARTS, STAFF, Login, demo_accounts
from desktop.demo.schedule import REQUEST_ID, book_and_bring_in, demo_schedule
from session.accounts.store import AccountStore
from session.clock import HubClock
from session.closeout import CaseFacts, CloseOutKeys, HubRecords, close_out
from session.hub.audit import AuditTrail
from session.hub.runner import composite_recorders
from session.hub.server import Hub
from session.hub.store import Store
from session.machine import REQUIRED_ROLES, State
from session.rtc.network import restrict_media_addresses
from session.station.script import step_seconds
from session.tls import HubCredentials, init_hub_credentials

CASE_NUMBER = "京朝检刑认〔2026〕1号"
T = TypeVar("T")


class DemoError(Exception):
    """A stage of the demo failed; ``stage`` says which."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage = stage


def pleadesk_home() -> Path:
    """Where demo keys live between runs (``$PLEADESK_HOME``, else ~/.local/share/pleadesk)."""
    default = Path.home() / ".local" / "share" / "pleadesk"
    return Path(os.environ.get("PLEADESK_HOME", default)).expanduser()


def run_demo(out: Path, seconds: float, *, headless: bool, clapper: bool = False) -> int:
    """Run the demo; print where everything is; return the process exit code."""
    try:
        summary = asyncio.run(_demo(out.resolve(), seconds, headless, clapper))
    except DemoError as exc:
        print(f"pleadesk demo failed at the {exc}", file=sys.stderr)
        return 1
    for key in ("recording", "agreement_pdf", "recording_statement_pdf", "archive_bag",
                "disc_image", "archive_identity"):  # fmt: skip
        print(f"{key:>23}: {summary[key]}")
    print(f"{'states':>23}: {' -> '.join(summary['states'])}")
    print(f"{'summary':>23}: {out.resolve() / 'summary.json'}")
    return 0


class _Stages:
    """Times each stage and the CPU used in it, by this process and by its children."""

    def __init__(self) -> None:
        self.report: dict[str, dict[str, float]] = {}

    async def run(self, name: str, work: Awaitable[T]) -> T:
        """Await ``work`` as the stage ``name``."""
        with self.stage(name):
            return await work

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """The stage ``name``: timed, and any failure in it a :class:`DemoError` naming it."""
        started = time.perf_counter()
        own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        try:
            yield
        except DemoError:
            raise
        except Exception as exc:
            raise DemoError(name, f"{type(exc).__name__}: {exc}") from exc
        finally:
            self.report[name] = {
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds_hub": round(_cpu(resource.RUSAGE_SELF) - own, 3),
                "cpu_seconds_stations": round(_cpu(resource.RUSAGE_CHILDREN) - children, 3),
            }


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


async def _demo(out: Path, seconds: float, headless: bool, clapper: bool) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    restrict_media_addresses()
    stages = _Stages()
    credentials = HubCredentials(out / "hub-tls")
    if not credentials.exists():
        init_hub_credentials(credentials.folder, ["127.0.0.1"])
    clock = HubClock()
    audit = AuditTrail.in_folder(out / "audit", clock)
    database = out / "hub.sqlite3"
    schedule = demo_schedule(database, CASE_NUMBER)
    logins = demo_accounts(database)
    accounts = AccountStore(database)
    hub = Hub(
        Store(database), out / "recordings", clock, recorders=composite_recorders(),
        accounts=accounts, schedule=schedule, audit=audit,
    )  # fmt: skip
    try:
        url = await stages.run("hub", hub.start(tls=credentials.server_context()))
        # Detention staff bring the suspect to the room (提押) before the session, and back
        # (还押) after it, registering each in the schedule as the day view's buttons do.
        session_id, officer = await stages.run(
            "booking",
            book_and_bring_in(
                schedule, url, credentials.ca_certificate, CASE_NUMBER, logins[STAFF]
            ),
        )
        # The procuratorate prepares and certifies the agreement; the prosecutor presents it.
        agreement = await stages.run("agreement", _in_thread(_prepare_agreement, out, session_id))
        await stages.run(
            "session",
            _hold_session(
                hub, url, session_id, seconds, headless, credentials.ca_certificate, clapper,
                agreement, logins,
            ),
        )  # fmt: skip
        await stages.run("return", _in_thread(schedule.bring_back, REQUEST_ID, officer))
        live = hub.live(session_id)
        assert live is not None
        if live.recording_error:
            raise DemoError("session", live.recording_error)
        missing = {"suspect", "lawyer"} - set(hub.store.signatures(session_id))
        if missing:
            raise DemoError("session", f"no signature from {', '.join(sorted(missing))}")
    finally:
        await hub.close()
        schedule.close()
        accounts.close()
    # The hub's close-out, as any hub runs it once a session is closed.
    records = HubRecords(database, out / "recordings", out / "audit", clock)
    extra = {"stages": stages.report}
    return await _in_thread(
        lambda: close_out(
            session_id, records, _case_facts(session_id), _demo_keys(), out,
            stage=stages.stage, extra=extra,
        )
    )  # fmt: skip


async def _in_thread(func: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def scripted_station_command(url: str, session_id: str, case: str, pause: float) -> list[str]:
    """The command for a station process playing its account's scripted part, a step every
    ``pause`` seconds (the account comes in its environment: :meth:`Login.environment`). On
    one machine the stations compete with the recorder for the CPU; stations in separate
    buildings would not. They run at a lower priority so the recording comes first."""
    return [
        "nice", "-n", "5", sys.executable, "-m", "desktop.cli.main", "station", "--hub", url,
        "--session", session_id, "--case", case, "--script", f"{pause:.3f}", "--synthetic",
    ]  # fmt: skip


async def _hold_session(
    hub: Hub,
    url: str,
    session_id: str,
    seconds: float,
    headless: bool,
    ca: Path,
    clapper: bool,
    agreement: Path,
    logins: dict[str, Login],
) -> None:
    """Start the three stations, each signed in as its party's account, and wait until the
    session is closed and they have left."""
    pause = step_seconds(seconds)
    stations = [
        await asyncio.create_subprocess_exec(
            *scripted_station_command(url, session_id, CASE_NUMBER, pause),
            "--ca",
            str(ca),
            *(["--headless"] if headless else []),
            *(["--clapper"] if clapper else []),
            *(["--agreement", str(agreement)] if role == "prosecutor" else []),
            env={**os.environ, **logins[PARTS[role]].environment()},
        )
        for role in REQUIRED_ROLES
    ]
    deadline = time.monotonic() + seconds * 2 + 60
    try:
        while True:
            live = hub.live(session_id)
            if live is not None and live.machine.state is State.CLOSED:
                break
            failed = [p for p in stations if p.returncode not in (None, 0)]
            if failed:
                raise DemoError("session", f"a station stopped with code {failed[0].returncode}")
            if time.monotonic() > deadline:
                state = live.machine.state.value if live else "scheduled"
                raise DemoError("session", f"the session did not close in time (at {state})")
            await asyncio.sleep(0.1)
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in stations)), 30)
        if any(codes):
            raise DemoError("session", f"stations exited with codes {codes}")
    finally:
        for process in stations:
            if process.returncode is None:
                process.kill()
                await process.wait()


def _prepare_agreement(out: Path, session_id: str) -> Path:
    """The demo case's agreement, certified by the procuratorate, for the prosecutor to present."""
    from documents.samples.case import demo_agreement
    from documents.signing.session_signer import SessionSigner

    signer = SessionSigner.in_folder(pleadesk_home() / "demo-pki")
    path = out / "agreement-presented.pdf"
    path.write_bytes(signer.presented(demo_agreement(CASE_NUMBER, session_id)))
    return path


def _case_facts(session_id: str) -> CaseFacts:
    """What the demo's hub does not keep: the demo case, its people and rooms, and the
    suspect's acknowledgements at the detention centre's terminal (the same synthetic hand as
    on the agreement; the demo terminal has no fingerprint reader)."""
    from documents.samples.case import DEMO_PLACES, demo_agreement, demo_participants
    from documents.samples.handwriting import synthetic_fingerprint
    from session.station.runner import demo_signature

    agreement = demo_agreement(CASE_NUMBER, session_id)  # as presented
    hand = demo_signature("suspect", CASE_NUMBER, session_id)
    return CaseFacts(
        agreement,
        demo_participants(agreement, REQUIRED_ROLES, CASE_NUMBER, session_id),
        DEMO_PLACES,
        notice_handwriting=hand,
        statement_handwriting=hand,
        fingerprint=synthetic_fingerprint(7),
    )


def _demo_keys() -> CloseOutKeys:
    """The demo PKI, and the demo archive identity (made on first use)."""
    from recording.archive.age import load_or_create_identity

    path = pleadesk_home() / "archive-identity.txt"
    identity = load_or_create_identity(path)
    return CloseOutKeys(pleadesk_home() / "demo-pki", [identity.recipient], path)
