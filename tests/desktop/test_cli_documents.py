"""``pleadesk verify-pdf``, driven through its own parser with real files."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from desktop.cli.documents import EXIT_BAD_SIGNATURE, EXIT_OK, EXIT_UNREADABLE, register
from documents.pdf.agreement import render_agreement
from documents.samples.case import demo_agreement
from documents.signing.pades import DemoPki, sign_agreement


def pleadesk(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pleadesk")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.run(args)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def signed(home: Path) -> Path:
    pki = DemoPki.load_or_create(home / "demo-pki")
    pdf = sign_agreement(
        render_agreement(demo_agreement("案", "S-1", on=date(2026, 11, 22)), {}), pki
    )
    path = home / "agreement.pdf"
    path.write_bytes(pdf)
    return path


def test_a_good_document_verifies_against_the_demo_root(
    signed: Path, home: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("PLEADESK_HOME", str(home))
    assert pleadesk("verify-pdf", str(signed)) == EXIT_OK
    out = capsys.readouterr().out
    assert "#1 Procuratorate: VALID" in out and "东湖市滨江区人民检察院" in out
    assert "changed after signing: none (allowed)" in out


def test_json_output(signed: Path, home: Path, capsys) -> None:
    code = pleadesk(
        "verify-pdf", str(signed), "--trust", str(home / "demo-pki" / "root-ca.pem"), "--json"
    )
    assert code == EXIT_OK
    [check] = json.loads(capsys.readouterr().out)
    assert check["field"] == "Procuratorate" and check["ok"] and check["certification"]


def test_a_tampered_document_fails(signed: Path, home: Path, tmp_path: Path, capsys) -> None:
    data = bytearray(signed.read_bytes())
    index = data.index(b"(PleaDesk)") + 1
    data[index] = ord("p")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    root = str(home / "demo-pki" / "root-ca.pem")
    assert pleadesk("verify-pdf", str(tampered), "--trust", root) == EXIT_BAD_SIGNATURE
    assert "NOT VALID" in capsys.readouterr().out


def test_without_trusted_roots_the_signature_is_not_trusted(
    signed: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("PLEADESK_HOME", str(tmp_path / "empty"))
    assert pleadesk("verify-pdf", str(signed)) == EXIT_BAD_SIGNATURE
    out = capsys.readouterr().out
    assert "trusted roots: none" in out and "trusted     NO" in out


def test_unreadable_files_and_certificates(tmp_path: Path, signed: Path, capsys) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    assert pleadesk("verify-pdf", str(junk)) == EXIT_UNREADABLE
    assert pleadesk("verify-pdf", str(tmp_path / "missing.pdf")) == EXIT_UNREADABLE
    assert pleadesk("verify-pdf", str(signed), "--trust", str(junk)) == EXIT_UNREADABLE
    assert "pleadesk verify-pdf:" in capsys.readouterr().err
