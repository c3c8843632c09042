"""Benchmark: render the agreement and sign it three times with a timestamp, and where time goes.

    .venv/bin/python bench/bench_documents.py [--runs 7]

Prints wall and CPU seconds (median of the runs, after one warm-up) for: rendering the 2-page
agreement; certification + suspect + lawyer signatures each with a local RFC 3161 timestamp
(the target: render plus these three within 1.0 s); the prosecutor's fourth signature;
checking all four; a 10-page facts section; and the whole set of a session's documents. Then
the same render-and-sign done the naive way, with each of the three fixes undone in turn.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from reportlab import rl_config

from documents.agreement import PleaAgreement
from documents.pdf.agreement import render_agreement
from documents.samples.case import DEMO_PLACES, demo_agreement, demo_participants
from documents.samples.handwriting import synthetic_fingerprint, synthetic_signature
from documents.session_documents import make_session_documents
from documents.signing import pades as signing
from documents.signing.pades import FieldSignature, certify, document_sha256, sign_field
from documents.signing.pki import DemoPki
from documents.signing.verify import verify_pdf
from documents.statement import RecordingFile
from recording.archive.bag import hash_file


def measure(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``work`` over ``runs`` runs after one warm-up."""
    work()
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


class Pipeline:
    """Render, certify, and sign as suspect and lawyer (and prosecutor) with timestamps."""

    def __init__(self, pki: DemoPki, agreement: PleaAgreement, timestamper: object) -> None:
        self.pki, self.a, self.tsa = pki, agreement, timestamper
        self.terminal = pki.issue("看守所远程签署终端", "东湖市滨江区看守所")
        self.lawyer = pki.issue(agreement.lawyer.name, agreement.lawyer.law_firm)
        self.prosecutor = pki.issue(agreement.prosecutor, agreement.procuratorate)
        self.hands = {
            "suspect": synthetic_signature("suspect", agreement.suspect.name, 1),
            "lawyer": synthetic_signature("lawyer", agreement.lawyer.name, 2),
        }
        self.fingerprint = synthetic_fingerprint(3)

    def three(self) -> bytes:
        a, tsa = self.a, self.tsa
        pdf = certify(
            render_agreement(a, {}), self.pki.procuratorate, reason="认证", timestamper=tsa
        )  # type: ignore[arg-type]
        shown = document_sha256(pdf)
        suspect = FieldSignature("Suspect", self.terminal, a.suspect.name, "签名",
                                 self.hands["suspect"], self.fingerprint)  # fmt: skip
        pdf = sign_field(pdf, suspect, seen_sha256=shown, timestamper=tsa)  # type: ignore[arg-type]
        lawyer = FieldSignature("Lawyer", self.lawyer, a.lawyer.name, "见证", self.hands["lawyer"])
        return sign_field(pdf, lawyer, seen_sha256=shown, timestamper=tsa)  # type: ignore[arg-type]

    def four(self) -> bytes:
        request = FieldSignature("Prosecutor", self.prosecutor, self.a.prosecutor, "签名")
        return sign_field(self.three(), request, timestamper=self.tsa)  # type: ignore[arg-type]


def _session(tmp: str, pki: DemoPki, recording: Path) -> object:
    states = ["room_ready", "recording", "announced", "rights_notified", "hearing",
              "agreement_presented", "signing", "signed", "closing", "closed"]  # fmt: skip
    timeline = [{"state": s, "step": s, "role": "hub", "at": 1.8e9 + 30 * i, "reason": ""}
                for i, s in enumerate(states)]  # fmt: skip
    a = demo_agreement("京朝检刑认〔2026〕1号", "2f1c4e8a", on=date(2027, 1, 15))
    hands = {"suspect": synthetic_signature("suspect", a.suspect.name, 1).to_json(),
             "lawyer": synthetic_signature("lawyer", a.lawyer.name, 2).to_json()}  # fmt: skip
    parties = ["suspect", "prosecutor", "lawyer"]
    # The close-out hashes the recording for the statement; measured with the documents.
    file = RecordingFile(recording.name, hash_file(recording), recording.stat().st_size)
    return make_session_documents(
        Path(tmp) / "out", recordings=[file], timeline=timeline, signatures=hands, agreement=a,
        participants=demo_participants(a, parties, a.case_number, a.session_id),
        places=DEMO_PLACES, pki_dir=pki.directory,
    )  # fmt: skip


def naive_timestamper(pki: DemoPki) -> DummyTimeStamper:
    """pyHanko's own test TSA, which parses its RSA key from DER for every token."""
    local = pki.timestamper()
    return DummyTimeStamper(local.tsa_cert, local.tsa_key, local.certs_to_embed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")
    with tempfile.TemporaryDirectory() as tmp:
        pki = DemoPki.load_or_create(Path(tmp) / "pki")
        agreement = demo_agreement(
            "东滨检刑诉〔2026〕1234号", "2f1c4e8a-2b7d", on=date(2026, 11, 22)
        )
        fast = Pipeline(pki, agreement, pki.timestamper())
        long = demo_agreement("案", "S-long", on=date(2026, 11, 22))
        facts = "\n".join(f"第{i}节：" + long.facts.replace("\n", "") for i in range(1, 40))
        long = dataclasses.replace(long, facts=facts)
        recording = Path(tmp) / "session.mkv"
        recording.write_bytes(os.urandom(8 << 20))
        rows = [
            ("render 2-page agreement", lambda: render_agreement(agreement, {})),
            ("render + 3 signatures + timestamps", fast.three),
            ("render + 4 signatures + timestamps", fast.four),
            ("verify 4 signatures (pyHanko)", lambda: verify_pdf(signed, pki.trust_roots)),
            ("render agreement with 10+ pages of facts", lambda: render_agreement(long, {})),
            ("all documents of a session (8 MiB recording)", lambda: _session(tmp, pki, recording)),
        ]
        signed = fast.four()
        pages = PdfFileReader(io.BytesIO(render_agreement(long, {}))).root["/Pages"]["/Count"]
        print(f"(the long agreement has {pages} pages; signed agreement {len(signed):,} bytes)")
        print(f"{'step':<44}{'wall s':>8}{'cpu s':>8}")
        for name, work in rows:
            wall, cpu = measure(work, runs)
            print(f"{name:<44}{wall:8.3f}{cpu:8.3f}")
        print("the naive way, each fix undone in turn (render + 3 signatures + timestamps):")
        _naive(pki, agreement, runs)
    return 0


def _naive(pki: DemoPki, agreement: PleaAgreement, runs: int) -> None:
    """Undo each fix alone, then all three together."""
    original_reserve = signing._reserve

    def a85(on: bool) -> None:
        rl_config.useA85 = int(on)

    def trial(on: bool) -> None:
        signing._reserve = (lambda *_: None) if on else original_reserve  # type: ignore[assignment]

    cases = [
        ("ASCII85 streams (reportlab's default)", [a85], False),
        ("a trial signature to size the CMS blob", [trial], False),
        ("pyHanko's DummyTimeStamper (key parsed per token)", [], True),
        ("all three", [a85, trial], True),
    ]
    for name, switches, dummy in cases:
        tsa = naive_timestamper(pki) if dummy else pki.timestamper()
        pipeline = Pipeline(pki, agreement, tsa)
        for switch in switches:
            switch(True)
        try:
            wall, cpu = measure(pipeline.three, runs)
        finally:
            for switch in switches:
                switch(False)
        print(f"  {name:<52}{wall:8.3f}{cpu:8.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
