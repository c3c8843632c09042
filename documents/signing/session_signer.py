"""Signing a finished session's documents, each signer in its field and in a fixed order.

Every document is certified by the procuratorate first. People holding a certificate sign with
it (the prosecutor, the lawyer, the recording technician, the custody officer); the suspect
holds none, so the detention centre's remote signing terminal applies the suspect's handwriting
and fingerprint on their behalf, to the revision the suspect was shown. A field whose signer
gave nothing (no handwriting for the notice, say) stays empty for signing on paper.

Blocking, like everything that signs: run it in an executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from documents.agreement import PleaAgreement
from documents.fingerprint import Fingerprint
from documents.notice import RightsNotice
from documents.pdf.agreement import FIELD_LAWYER, FIELD_PROSECUTOR, FIELD_SUSPECT, render_agreement
from documents.pdf.notice import render_notice
from documents.pdf.statement import (
    FIELD_CUSTODY_OFFICER,
    FIELD_TECHNICIAN,
    custody_officer,
    render_statement,
)
from documents.signature import Signature
from documents.signing.pades import FieldSignature, certify, document_sha256, sign_field
from documents.signing.pki import DemoPki, Signatory
from documents.signing.timestamps import timestamper_for
from documents.statement import PartyRole, RecordingStatement

Clock = Callable[[], datetime]


class SessionSigner:
    """Signs the session's documents in the fixed order, with one timestamper and clock.

    ``places``: the room of each role (``suspect``, ``lawyer``), written into the signatures
    made there as their location.
    """

    def __init__(
        self,
        pki: DemoPki,
        timestamper: Any,
        clock: Clock | None,
        places: Mapping[str, str] | None = None,
    ) -> None:
        self.pki, self.timestamper, self.clock = pki, timestamper, clock
        self.places = dict(places or {})

    @classmethod
    def in_folder(
        cls,
        pki_dir: Path,
        tsa_url: str | None = None,
        clock: Clock | None = None,
        places: Mapping[str, str] | None = None,
    ) -> SessionSigner:
        """A signer with the PKI in ``pki_dir``; timestamps from ``tsa_url``, or without one
        from the PKI's local timestamp authority."""
        pki = DemoPki.load_or_create(pki_dir)
        return cls(pki, timestamper_for(tsa_url) or pki.timestamper(clock), clock, places)

    def presented(self, a: PleaAgreement) -> bytes:
        """The agreement as the procuratorate presents it in the session: rendered and
        certified, before anyone signs; the signers' handwriting is bound to these bytes."""
        return self.certified(render_agreement(a, {}))

    def certified(self, pdf: bytes) -> bytes:
        """``pdf`` certified by the procuratorate (form filling and signing stay allowed)."""
        return certify(
            pdf,
            self.pki.procuratorate,
            reason="经人民检察院认证",
            clock=self.clock,
            timestamper=self.timestamper,
        )

    def field(self, pdf: bytes, request: FieldSignature, seen: str | None = None) -> bytes:
        """``pdf`` with ``request`` signed; ``seen``: the SHA-256 of the revision shown."""
        return sign_field(
            pdf, request, seen_sha256=seen, clock=self.clock, timestamper=self.timestamper
        )

    def person(self, name: str, organisation: str, unit: str) -> Signatory:
        """A certificate for ``name`` from the demo PKI."""
        return self.pki.issue(name, organisation, unit)

    def agreement(
        self,
        a: PleaAgreement,
        handwriting: Mapping[str, Signature],
        fp: Fingerprint | None,
        lawyer_has_certificate: bool,
        presented: bytes | None = None,
    ) -> bytes:
        """The agreement: certified (or as ``presented`` in the session, already certified),
        then the suspect, the lawyer and the prosecutor."""
        pdf = presented or self.presented(a)
        shown = document_sha256(pdf)  # what the suspect and the lawyer were shown
        reason = "犯罪嫌疑人签名、捺指印（由看守所远程签署终端代为加签）"
        pdf = self._suspect(pdf, a, handwriting["suspect"], fp, reason, shown)
        # A lawyer without a certificate of their own signs through the lawyer station's,
        # the way the suspect signs through the terminal's.
        if lawyer_has_certificate:
            lawyer_key = self.person(a.lawyer.name, a.lawyer.law_firm, "律师执业证书")
            reason = f"{a.lawyer.role.label}见证签名"
        else:
            station = self.places.get("lawyer", "值班律师工作站")
            lawyer_key = self.person("值班律师工作站", station, "认罪认罚远程签署")
            reason = f"{a.lawyer.role.label}见证签名（手写签名，由律师工作站代为加签）"
        lawyer = FieldSignature(
            FIELD_LAWYER,
            lawyer_key,
            a.lawyer.name,
            reason,
            handwriting["lawyer"],
            None,
            self.places.get("lawyer", ""),
        )
        pdf = self.field(pdf, lawyer, shown)
        return self._prosecutor(pdf, a.prosecutor, a.procuratorate)

    def notice(
        self, n: RightsNotice, a: PleaAgreement, hand: Signature | None, fp: Fingerprint | None
    ) -> bytes:
        """The notice: certified, acknowledged by the suspect (if they signed it), the 告知人."""
        pdf = self.certified(render_notice(n))
        if hand is not None:
            reason = "犯罪嫌疑人确认已收到并知悉本告知书（由看守所远程签署终端代为加签）"
            pdf = self._suspect(pdf, a, hand, fp, reason, document_sha256(pdf))
        return self._prosecutor(pdf, n.prosecutor, n.procuratorate)

    def statement(
        self,
        s: RecordingStatement,
        a: PleaAgreement,
        hand: Signature | None,
        fp: Fingerprint | None,
    ) -> bytes:
        """The statement: certified, then the technician, the prosecutor, the suspect (if they
        signed it) and the custody officer listed, in the order of its fields."""
        pdf = self.certified(render_statement(s))
        shown = document_sha256(pdf)
        tech = next(p for p in s.participants if p.role is PartyRole.TECHNICIAN)
        signatory = self.person(tech.name, s.procuratorate, "检察技术部门")
        reason = "录制人员确认录音录像及完整性校验值"
        pdf = self.field(pdf, FieldSignature(FIELD_TECHNICIAN, signatory, tech.name, reason))
        pdf = self._prosecutor(pdf, a.prosecutor, s.procuratorate)
        if hand is not None:
            reason = "犯罪嫌疑人确认同步录音录像相关说明（由看守所远程签署终端代为加签）"
            pdf = self._suspect(pdf, a, hand, fp, reason, shown)
        officer = custody_officer(s)
        if officer is not None:
            centre = a.suspect.detention_place or PartyRole.CUSTODY_OFFICER.label
            signatory = self.person(officer, centre, "看守所民警")
            reason = "看守所民警确认提押、还押情况"
            request = FieldSignature(FIELD_CUSTODY_OFFICER, signatory, officer, reason)
            pdf = self.field(pdf, request)
        return pdf

    def _suspect(
        self,
        pdf: bytes,
        a: PleaAgreement,
        hand: Signature,
        fp: Fingerprint | None,
        reason: str,
        shown: str,
    ) -> bytes:
        """The suspect's handwriting (and fingerprint), applied by the detention centre's
        remote signing terminal: the suspect holds no certificate of their own."""
        place = a.suspect.detention_place
        terminal = self.person(f"{place}远程签署终端", place, "认罪认罚远程签署")
        room = self.places.get("suspect", "")
        request = FieldSignature(FIELD_SUSPECT, terminal, a.suspect.name, reason, hand, fp, room)
        return self.field(pdf, request, shown)

    def _prosecutor(self, pdf: bytes, name: str, procuratorate: str) -> bytes:
        signatory = self.person(name, procuratorate, "检察官")
        return self.field(pdf, FieldSignature(FIELD_PROSECUTOR, signatory, name, "承办检察官签名"))
