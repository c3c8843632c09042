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
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from desktop.demo_schedule import REQUEST_ID, book_and_bring_in, custody_record, demo_schedule
from documents.statement import CustodyRecord
from session.audit import AuditTrail
from session.clock import HubClock
from session.hub import Hub
from session.machine import REQUIRED_ROLES, State
from session.network import restrict_media_addresses
from session.script import step_seconds
from session.store import Store
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
        started = time.perf_counter()
        own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        try:
            return await work
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
    hub = Hub(Store(database), out / "recordings", clock, schedule=schedule, audit=audit)
    try:
        url = await stages.run("hub", hub.start(tls=credentials.server_context()))
        # Detention staff bring the suspect to the room (提押) before the session, and back
        # (还押) after it, registering each in the schedule as the day view's buttons do.
        session_id, officer = await stages.run(
            "booking", book_and_bring_in(schedule, url, credentials.ca_certificate, CASE_NUMBER)
        )
        # The procuratorate prepares and certifies the agreement; the prosecutor presents it.
        agreement = await stages.run("agreement", _in_thread(_prepare_agreement, out, session_id))
        await stages.run(
            "session",
            _hold_session(
                hub, url, session_id, seconds, headless, credentials.ca_certificate, clapper,
                agreement,
            ),
        )  # fmt: skip
        await stages.run("return", _in_thread(schedule.bring_back, REQUEST_ID, officer))
        live = hub.live(session_id)
        assert live is not None and live.recording_path is not None
        if live.recording_error:
            raise DemoError("session", live.recording_error)
        states = live.machine.states_passed
        timeline = [
            {
                "state": c.state.value,
                "step": c.step.value,
                "role": c.role,
                "at": round(hub.clock.wall(c.at), 3),
                "reason": c.reason,
            }
            for c in live.machine.history
        ]
        signatures = hub.store.signatures(session_id)
        presented = live.agreement  # what the signers were shown, byte for byte
        recording = live.recording_path
        duration = live.recording_info.duration_s if live.recording_info else 0.0
    finally:
        await hub.close()
        schedule.close()
    custody = await _in_thread(custody_record, database, session_id)
    made = _in_thread(
        _make_documents, out, session_id, recording, timeline, signatures, duration, custody,
        presented,
    )  # fmt: skip
    docs = await stages.run("documents", made)
    audit_log = audit.path(session_id)
    sealed = await stages.run(
        "archive", _in_thread(_seal, out, session_id, recording, docs, audit_log)
    )
    summary = {
        "session_id": session_id,
        "case_number": CASE_NUMBER,
        "recording": str(recording),
        **docs.summary(),
        "archive_bag": str(sealed.bag_dir),
        "disc_image": str(sealed.disc_image),
        "archive_identity": str(pleadesk_home() / "archive-identity.txt"),
        "audit_log": str(audit_log),
        "parties": list(REQUIRED_ROLES),
        "custody": custody.to_json() if custody else None,
        "states": states,
        "timeline": timeline,
        "duration_s": round(duration, 3),
        "stages": stages.report,
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


async def _in_thread(func: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def scripted_station_command(
    url: str, session_id: str, role: str, token: str, case: str, pause: float
) -> list[str]:
    """The command for a station process playing ``role``'s scripted part, a step every
    ``pause`` seconds. On one machine the stations compete with the recorder for the CPU;
    stations in separate buildings would not. They run at a lower priority so the recording
    comes first."""
    return [
        "nice", "-n", "5", sys.executable, "-m", "desktop.cli", "station", "--hub", url,
        "--session", session_id, "--role", role, "--token", token, "--case", case,
        "--script", f"{pause:.3f}",
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
) -> None:
    """Start the three stations and wait until the session is closed and they have left."""
    pause = step_seconds(seconds)
    tokens = hub.join_tokens(session_id, REQUIRED_ROLES)
    stations = [
        await asyncio.create_subprocess_exec(
            *scripted_station_command(url, session_id, role, tokens[role], CASE_NUMBER, pause),
            "--ca",
            str(ca),
            *(["--headless"] if headless else []),
            *(["--clapper"] if clapper else []),
            *(["--agreement", str(agreement)] if role == "prosecutor" else []),
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
    from documents.demo import demo_agreement
    from documents.session_signer import SessionSigner

    signer = SessionSigner.in_folder(pleadesk_home() / "demo-pki")
    path = out / "agreement-presented.pdf"
    path.write_bytes(signer.presented(demo_agreement(CASE_NUMBER, session_id)))
    return path


def _make_documents(
    out: Path,
    session_id: str,
    recording: Path,
    timeline: list[dict[str, Any]],
    signatures: dict[str, dict[str, Any]],
    duration: float,
    custody: CustodyRecord | None,
    presented: bytes | None,
) -> Any:
    from documents.session_documents import make_session_documents
    from documents.synthetic import synthetic_fingerprint
    from session.runner import demo_signature

    missing = {"suspect", "lawyer"} - set(signatures)
    if missing:
        raise DemoError("documents", f"no signature from {', '.join(sorted(missing))}")
    # The demo's suspect acknowledges the notice and the statement at the detention centre's
    # terminal with the same synthetic hand as the agreement; the hub takes no such signature.
    hand = demo_signature("suspect", CASE_NUMBER, session_id)
    return make_session_documents(
        out / "documents",
        case_number=CASE_NUMBER,
        session_id=session_id,
        recordings=[recording],
        timeline=timeline,
        signatures=signatures,
        parties=list(REQUIRED_ROLES),
        pki_dir=pleadesk_home() / "demo-pki",
        custody=custody,
        presented=presented,
        notice_handwriting=hand,
        statement_handwriting=hand,
        fingerprint=synthetic_fingerprint(7),  # the demo terminal has no fingerprint reader
        durations={recording.name: duration},
    )


def _seal(out: Path, session_id: str, recording: Path, docs: Any, audit_log: Path) -> Any:
    from recording.age import load_or_create_identity
    from recording.seal import seal_session

    identity = load_or_create_identity(pleadesk_home() / "archive-identity.txt")
    return seal_session(
        {
            f"recording/{recording.name}": recording,
            "documents/agreement.pdf": docs.agreement_pdf,
            "documents/recording-statement.pdf": docs.recording_statement_pdf,
            "documents/rights-notice.pdf": docs.rights_notice_pdf,
            f"logs/{audit_log.name}": audit_log,
        },
        [identity.recipient],
        out / "archive",
        {"External-Identifier": CASE_NUMBER, "PleaDesk-Session-Id": session_id},
        volume_id=f"PLEA_{session_id[:8]}",
    )
