"""PAdES signing of the documents: certification first, then each signer in a prepared field.

The procuratorate signs first, with a *certification* signature (DocMDP level 2: filling in
forms and adding signatures stay allowed, anything else shows up as a change). The suspect,
the lawyer and the prosecutor then sign their own fields, each as an incremental update, so
every earlier signature still covers exactly the bytes it signed: any later change to content
or signature is detectable, as the Electronic Signature Law (art. 13) asks.

What you see is what you sign: a signer's handwriting carries the SHA-256 of the PDF shown on
their screen, and :func:`sign_field` refuses to apply it unless that exact PDF is the start of
the file being signed (later revisions may only add signatures).

Signers are :class:`~documents.signing.pki.Signatory` objects; a timestamp authority is any pyHanko
``TimeStamper`` (see :mod:`documents.signing.timestamps`); the signing time comes from ``clock``.
All functions here block (hashing, CMS, maybe a TSA round trip): run them in an executor, and
not on a thread already running an asyncio loop (pyHanko runs its own short-lived one).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from documents.fingerprint import Fingerprint
from documents.pdf.agreement import FIELD_PROCURATORATE
from documents.pdf.appearance import handwriting_pdf, name_stamp_pdf, seal_pdf, stamp_style
from documents.signature import Signature
from documents.signing.pki import AgreementSigningError, DemoPki, Signatory
from documents.signing.verify import SignatureCheck, verify_pdf

__all__ = [
    "AgreementSigningError",
    "DemoPki",
    "DocumentMismatchError",
    "FieldSignature",
    "SignatureCheck",
    "certify",
    "document_sha256",
    "presented_revision",
    "sign_agreement",
    "sign_field",
    "verify_pdf",
]

Clock = Callable[[], datetime]
_EOF = re.compile(rb"%%EOF[ \t]*(\r\n|\r|\n)?")


class DocumentMismatchError(AgreementSigningError):
    """The PDF to be signed is not the one the signer was shown."""


@dataclass(frozen=True)
class FieldSignature:
    """One person's signature in one prepared field.

    ``signatory`` holds the certificate: the person's own, or that of the station signing on
    the person's behalf. ``person`` is who signs, as written into the signature (/Name).
    """

    field: str
    signatory: Signatory
    person: str
    reason: str
    handwriting: Signature | None = None
    fingerprint: Fingerprint | None = None
    location: str = ""


def document_sha256(pdf: bytes) -> str:
    """The SHA-256 (hex) that identifies a PDF as shown to a signer."""
    return hashlib.sha256(pdf).hexdigest()


def presented_revision(pdf: bytes, sha256: str) -> int:
    """Length of the revision of ``pdf`` whose SHA-256 is ``sha256``; raise if there is none.

    A revision ends at an ``%%EOF`` marker; a signed PDF is its first revision followed by one
    incremental update per signature.
    """
    ends = [m.end() for m in _EOF.finditer(pdf)]
    for end in ends:
        if hashlib.sha256(pdf[:end]).hexdigest() == sha256:
            return end
    raise DocumentMismatchError(
        "The document to be signed is not the one shown to the signer (SHA-256 "
        f"{sha256[:16]}…). Show the current document again and sign anew."
    )


def certify(
    pdf: bytes,
    signatory: Signatory,
    *,
    reason: str,
    clock: Clock | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """Certify ``pdf`` in its "Procuratorate" field (DocMDP: form filling and signing only)."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_PROCURATORATE,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason=reason,
        name=signatory.name,
    )

    def look(size: tuple[float, float]) -> bytes:
        return seal_pdf(size, signatory.certificate, "电子签章（认证签名）")

    return _sign(pdf, meta, signatory, look, clock, timestamper)


def sign_field(
    pdf: bytes,
    request: FieldSignature,
    *,
    seen_sha256: str | None = None,
    clock: Clock | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """Sign ``request.field``; the handwriting and fingerprint, if any, are what it shows.

    ``seen_sha256`` (or, if not given, the hash the handwriting carries) names the PDF the
    signer was shown: :class:`DocumentMismatchError` unless it is a revision of ``pdf``.
    """
    handwriting = request.handwriting
    seen = seen_sha256 or (handwriting.document_sha256 if handwriting else "") or None
    if handwriting and handwriting.document_sha256 and seen != handwriting.document_sha256:
        raise DocumentMismatchError(
            "The handwriting was given on a different document than the one being signed."
        )
    if seen is not None:
        presented_revision(pdf, seen)
    meta = signers.PdfSignatureMetadata(
        field_name=request.field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        name=request.person,
        location=request.location or None,
    )

    def look(size: tuple[float, float]) -> bytes:
        if handwriting is not None or request.fingerprint is not None:
            return handwriting_pdf(size, handwriting, request.fingerprint)
        return name_stamp_pdf(size, request.person, "数字签名")

    return _sign(pdf, meta, request.signatory, look, clock, timestamper)


def sign_agreement(
    pdf_bytes: bytes,
    pki: DemoPki,
    *,
    clock: Clock | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """Certify the agreement PDF with the procuratorate's PAdES signature (see :func:`certify`)."""
    return certify(
        pdf_bytes,
        pki.procuratorate,
        reason="认罪认罚具结书经人民检察院认证",
        clock=clock,
        timestamper=timestamper,
    )


class _ClockedPdfSigner(signers.PdfSigner):
    """A pyHanko PdfSigner whose signing time comes from the injected clock."""

    def __init__(self, *args: object, now: datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._now = now

    def init_signing_session(
        self, pdf_out: object, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)  # type: ignore[arg-type]
        session.system_time = self._now
        return session


def _sign(
    pdf: bytes,
    meta: signers.PdfSignatureMetadata,
    signatory: Signatory,
    look: Callable[[tuple[float, float]], bytes],
    clock: Clock | None,
    timestamper: TimeStamper | None,
) -> bytes:
    """Sign field ``meta.field_name``, drawn by ``look(field size)``, as one incremental update."""
    now = clock() if clock is not None else datetime.now(UTC)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        size = _field_size(writer.prev, meta.field_name or "")
        signer = _ClockedPdfSigner(
            meta,
            signer=signatory.pyhanko_signer(),
            timestamper=timestamper,
            stamp_style=stamp_style(look(size)),
            now=now,
        )
        # Reserving the space ourselves spares pyHanko a trial signature, which with a
        # timestamp authority would be a whole extra round trip to it.
        out = signer.sign_pdf(
            writer,
            existing_fields_only=True,
            bytes_reserved=_reserve(signatory, timestamper),
        )
    except TimestampRequestError as exc:
        raise AgreementSigningError(
            f"No timestamp could be obtained ({exc}). Check the timestamp authority's address "
            "and the network, then sign again; the document has not been changed."
        ) from exc
    except AgreementSigningError:
        raise
    except (SigningError, PdfError, KeyError, ValueError) as exc:
        raise AgreementSigningError(
            f"The document could not be signed in field {meta.field_name!r} ({exc}). "
            "Regenerate it and sign again; if it keeps failing, report it to the technical "
            "department."
        ) from exc
    return bytes(out.getbuffer())


def _reserve(signatory: Signatory, timestamper: TimeStamper | None) -> int:
    """Hex digits to reserve for the CMS blob: certificates, signature, a token, with room."""
    der = len(signatory.certificate.public_bytes(serialization.Encoding.DER))
    chain = getattr(signatory, "chain", ())  # a smart-card signatory may not expose one
    der += sum(len(c.public_bytes(serialization.Encoding.DER)) for c in chain)
    if timestamper is not None:
        tsa = getattr(timestamper, "certificate", None)
        der += 1500 + (len(tsa.public_bytes(serialization.Encoding.DER)) * 2 if tsa else 8000)
    return 2 * (der + 2500)


def _field_size(reader: PdfFileReader, name: str) -> tuple[float, float]:
    """Width and height of the empty signature field ``name``; raise if there is none."""
    for found, value, ref in enumerate_sig_fields(reader):
        if found != name:
            continue
        if value is not None:
            raise AgreementSigningError(f"The field {name!r} is already signed.")
        x1, y1, x2, y2 = (float(v) for v in ref.get_object()["/Rect"])
        return abs(x2 - x1), abs(y2 - y1)
    raise AgreementSigningError(
        f"The document could not be signed: it has no signature field {name!r}. "
        "Regenerate it with PleaDesk."
    )
