"""PAdES signing and verification of the agreement PDF, and a demo certificate authority.

The procuratorate signs first, with a *certification* signature (DocMDP level 2: filling in
forms and adding signatures stay allowed, anything else shows up as a change). Because a PDF
signature covers exact bytes, any later change to content or signature is detectable, which is
what the Electronic Signature Law (art. 13) asks of a reliable electronic signature.

All functions here block (key generation, hashing, CMS); callers run them in an executor.
pyHanko runs its own short-lived event loop inside signing and validation, so they must not be
called from a thread that is already running an asyncio loop.
"""

from __future__ import annotations

import binascii
import io
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1 as _asn1_cert
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1 as _asn1_key
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen.canvas import Canvas

from documents.agreement import DEMO_PROCURATORATE
from documents.fonts import register_cjk_font
from documents.pdf import FIELD_PROCURATORATE

_FILES = ("root-ca.pem", "root-ca-key.pem", "procuratorate.pem", "procuratorate-key.pem")


class AgreementSigningError(RuntimeError):
    """The agreement could not be signed, or the signing certificates are unusable."""


@dataclass(frozen=True)
class DemoPki:
    """A demo root CA and a procuratorate signing certificate, kept as PEM files.

    For demonstrations and tests only: the keys are stored unencrypted. A real deployment signs
    with the procuratorate's certificate from its CA, usually on a smart card or HSM.
    """

    directory: Path
    root_certificate: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    signer_certificate: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        """The certificates a verifier should trust for documents signed with this PKI."""
        return [self.root_certificate]

    @classmethod
    def load_or_create(cls, directory: Path, *, procuratorate: str = DEMO_PROCURATORATE) -> DemoPki:
        """Load the PKI from ``directory``, creating it there on first use."""
        paths = [directory / name for name in _FILES]
        present = [p.exists() for p in paths]
        if not any(present):
            return cls._create(directory, procuratorate)
        if not all(present):
            missing = ", ".join(p.name for p, ok in zip(paths, present, strict=True) if not ok)
            raise AgreementSigningError(
                f"The demo certificate folder {directory} is incomplete (missing {missing}). "
                "Restore the missing files, or move the folder away to create new demo "
                "certificates (documents signed with the old ones will then show as untrusted)."
            )
        root, root_key, cert, key = (p.read_bytes() for p in paths)
        pki = cls(
            directory,
            x509.load_pem_x509_certificate(root),
            _load_key(root_key),
            x509.load_pem_x509_certificate(cert),
            _load_key(key),
        )
        if pki.signer_certificate.not_valid_after_utc < datetime.now(UTC):
            raise AgreementSigningError(
                f"The demo signing certificate in {directory} has expired; move the folder "
                "away to create new demo certificates."
            )
        return pki

    @classmethod
    def _create(cls, directory: Path, procuratorate: str) -> DemoPki:
        now = datetime.now(UTC) - timedelta(days=1)  # tolerate clocks a little behind
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("PleaDesk 演示根证书（仅供演示）", "PleaDesk 演示证书机构")
        root = (
            _builder(root_name, root_name, root_key.public_key(), now, years=20)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(procuratorate, procuratorate, unit="电子签名（演示）")
        cert = (
            _builder(subject, root_name, key.public_key(), now, years=5)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        directory.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        blobs = (root.public_bytes(pem), _key_pem(root_key), cert.public_bytes(pem), _key_pem(key))
        for name, blob in zip(_FILES, blobs, strict=True):
            _write_private(directory / name, blob)
        return cls(directory, root, root_key, cert, key)


def _name(common_name: str, organisation: str, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    start: datetime,
    *,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    # A signer needs nonRepudiation (content_commitment): validators reject signing
    # certificates without it by default.
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise AgreementSigningError("The demo signing key is not an EC key; recreate the demo PKI.")
    return key


def _write_private(path: Path, blob: bytes) -> None:
    """Write a file readable by the owner only, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)


def sign_agreement(pdf_bytes: bytes, pki: DemoPki) -> bytes:
    """Certify the agreement PDF with the procuratorate's PAdES B-B signature.

    Signs into the existing empty "Procuratorate" field (made by ``render_agreement``) with
    DocMDP permission level 2, so the suspect's and lawyer's signature fields can still be
    signed afterwards. Returns the signed PDF (the input plus one incremental update).
    """
    cert = _asn1_cert(pki.signer_certificate)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=_asn1_key(pki.signer_key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(pki.root_certificate)]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_PROCURATORATE,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason="认罪认罚具结书经人民检察院认证",
        name=_common_name(pki.signer_certificate),
    )
    stamp = StaticStampStyle(
        background=_PdfBytesPage(_stamp_pdf(pki.signer_certificate)),
        background_opacity=1.0,
        border_width=0,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=stamp)
        out = pdf_signer.sign_pdf(writer, existing_fields_only=True)
    except (SigningError, PdfError) as exc:
        raise AgreementSigningError(
            f"The agreement could not be signed ({exc}). Regenerate the agreement PDF and "
            "sign again; if it keeps failing, report it to the technical department."
        ) from exc
    return bytes(out.getbuffer())


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _stamp_pdf(cert: x509.Certificate) -> bytes:
    """The visible appearance of the procuratorate's signature, in Chinese, as a PDF page.

    pyHanko's text stamps cannot use a TrueType CJK font without extra packages, so the
    appearance is drawn with reportlab (same embedded font as the document) and imported.
    """
    font = register_cjk_font()
    buffer = io.BytesIO()
    width, height = 200, 84
    c = Canvas(buffer, pagesize=(width, height), initialFontName=font)
    c.setFillColorRGB(0.62, 0.08, 0.08)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, 60, _common_name(cert))
    c.setFont(font, 9)
    c.drawCentredString(width / 2, 42, "数字签名（认证签名）")
    c.setFillGray(0.2)
    c.setFont(font, 7.5)
    c.drawCentredString(width / 2, 24, f"证书序列号：{cert.serial_number:X}"[:40])
    c.drawCentredString(width / 2, 12, "签名时间及有效性见文档签名属性")
    c.showPage()
    c.save()
    return buffer.getvalue()


class _PdfBytesPage(content.PdfContent):
    """Import the first page of an in-memory PDF as a form XObject (pyHanko reads files)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature in a PDF."""

    field: str
    signer: str
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


def verify_pdf(pdf_bytes: bytes, trust_roots: Sequence[x509.Certificate]) -> list[SignatureCheck]:
    """Check every signature in ``pdf_bytes`` against ``trust_roots``, in signing order.

    A damaged or altered signature is reported in its :class:`SignatureCheck` (``ok`` False),
    never raised. Raises :class:`AgreementSigningError` only if the file is not a readable PDF.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError) as exc:
        raise AgreementSigningError(
            f"The file is not a readable PDF ({exc}); it may be damaged. Use the copy on the "
            "sealed disc or in the case file."
        ) from exc
    context = ValidationContext(trust_roots=[_asn1_cert(c) for c in trust_roots])
    return [_check(sig, context) for sig in embedded]


def _check(sig: object, context: ValidationContext) -> SignatureCheck:
    field = str(getattr(sig, "field_name", "?"))
    try:
        status = validate_pdf_signature(sig, context)  # type: ignore[arg-type]
    except (PdfError, SigningError, ValueError, KeyError) as exc:
        return SignatureCheck(
            field,
            "",
            False,
            False,
            False,
            "other",
            False,
            False,
            False,
            None,
            False,
            problem=str(exc),
        )
    level = status.modification_level
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
    )
