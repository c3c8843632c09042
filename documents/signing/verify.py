"""Checking every signature of a PDF, as a court's reader would, with pyHanko's validator.

For each signature: do the signed bytes still hash to what was signed (intact), is the
cryptographic signature right (valid), does the certificate chain to a trusted root, what was
changed after it was made (only signatures and form filling are allowed by the certification),
and, where there is one, is the RFC 3161 timestamp valid and when does it say.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.signing.pki import AgreementSigningError
from documents.signing.pyhanko_internals import asn1_certificate


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature in a PDF."""

    field: str
    signer: str  # the certificate's common name
    intact: bool  # the signed bytes hash to what the signature says
    valid: bool  # the cryptographic signature over that hash is correct
    trusted: bool  # the signer's certificate chains to one of the trust roots
    modification_level: str  # changes after signing: none, form_filling, annotations, other
    docmdp_ok: bool  # those changes are allowed by the certification signature
    certification: bool  # this is the document's certification signature
    covers_whole_file: bool
    signing_time: datetime | None
    ok: bool  # all of the above as pyHanko judges it (its "bottom line")
    problem: str = ""  # why the signature could not be checked at all
    person: str = ""  # who signed, as the signature says (/Name)
    reason: str = ""
    timestamp: datetime | None = None  # the time a timestamp authority vouches for
    timestamp_ok: bool | None = None  # None: no timestamp

    def to_json(self) -> dict[str, Any]:
        """The verdict as plain JSON values."""
        data = dict(self.__dict__)
        for key in ("signing_time", "timestamp"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


def verify_pdf(
    pdf_bytes: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    tsa_roots: Sequence[x509.Certificate] | None = None,
) -> list[SignatureCheck]:
    """Check every signature in ``pdf_bytes`` against ``trust_roots``, in signing order.

    Timestamps are checked against ``tsa_roots`` (the same roots if omitted). A damaged or
    altered signature is reported in its :class:`SignatureCheck` (``ok`` False), never raised.
    Raises :class:`AgreementSigningError` only if the file is not a readable PDF.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise AgreementSigningError(
            f"The file is not a readable PDF ({exc}); it may be damaged. Use the copy on the "
            "sealed disc or in the case file."
        ) from exc
    roots = [asn1_certificate(c) for c in trust_roots]
    context = ValidationContext(trust_roots=roots)
    ts_roots = roots if tsa_roots is None else [asn1_certificate(c) for c in tsa_roots]
    ts_context = ValidationContext(trust_roots=ts_roots)
    return [_check(sig, context, ts_context) for sig in embedded]


def _check(sig: Any, context: ValidationContext, ts_context: ValidationContext) -> SignatureCheck:
    field = str(getattr(sig, "field_name", "?"))
    try:
        status = validate_pdf_signature(sig, context, ts_validation_context=ts_context)
    except (PdfError, SigningError, ValueError, KeyError) as exc:
        return _unreadable(field, str(exc))
    level = status.modification_level
    ts = status.timestamp_validity
    sig_dict = sig.sig_object
    return SignatureCheck(
        field=field,
        signer=str(status.signing_cert.subject.native.get("common_name", "")),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        modification_level=level.name.lower() if level is not None else "unknown",
        docmdp_ok=bool(status.docmdp_ok),
        certification=getattr(sig, "docmdp_level", None) is not None,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signing_time=status.signer_reported_dt,
        ok=status.bottom_line,
        person=str(sig_dict.get("/Name", "")),
        reason=str(sig_dict.get("/Reason", "")),
        timestamp=ts.timestamp if ts is not None else None,
        timestamp_ok=(ts.intact and ts.valid and ts.trusted) if ts is not None else None,
    )


def _unreadable(field: str, problem: str) -> SignatureCheck:
    """The verdict on a signature that could not even be checked."""
    return SignatureCheck(
        field=field,
        signer="",
        intact=False,
        valid=False,
        trusted=False,
        modification_level="other",
        docmdp_ok=False,
        certification=False,
        covers_whole_file=False,
        signing_time=None,
        ok=False,
        problem=problem,
    )
