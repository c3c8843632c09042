"""The agreement PDF, checked with poppler's tools as a reader of the archived file would."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from documents.agreement import PleaAgreement, demo_agreement
from documents.fonts import cjk_font_path
from documents.pdf import AgreementRenderError, render_agreement
from documents.signature import synthetic_signature

ON = date(2026, 11, 22)


def run(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def flat(text: str) -> str:
    """pdftotext output without line breaks and spaces (lines break anywhere in Chinese)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def agreement() -> PleaAgreement:
    return demo_agreement("东滨检刑诉〔2026〕1234号", "S-20261122-0001", on=ON)


@pytest.fixture(scope="module")
def signed_by_hand(agreement: PleaAgreement, tmp_path_factory) -> Path:
    signatures = {
        "suspect": synthetic_signature("suspect", agreement.suspect.name, 1),
        "lawyer": synthetic_signature("lawyer", agreement.lawyer.name, 2),
    }
    path = tmp_path_factory.mktemp("pdf") / "agreement.pdf"
    path.write_bytes(render_agreement(agreement, signatures))
    return path


@pytest.fixture(scope="module")
def long_facts(agreement: PleaAgreement, tmp_path_factory) -> Path:
    paragraphs = [
        f"第{i}节：犯罪嫌疑人{agreement.suspect.name}于当日在东湖市滨江区某小区地下停车场，"
        "采用剪断连接线的方式盗窃电动自行车电瓶一个，经价格认定价值人民币五百元。" * 3
        for i in range(1, 41)
    ]
    longer = dataclasses.replace(agreement, facts="\n".join([*paragraphs, "事实部分完。"]))
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    path.write_bytes(render_agreement(longer, {}))
    return path


def test_every_font_is_embedded(signed_by_hand: Path) -> None:
    rows = run("pdffonts", signed_by_hand).splitlines()[2:]
    assert rows, "the PDF uses no fonts"
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", f"font {name} is not embedded"
    assert all("UMing" in row for row in rows)
    assert "STSong" not in "".join(rows)


def test_text_states_who_what_and_the_recommendation(
    signed_by_hand: Path, agreement: PleaAgreement
) -> None:
    text = flat(run("pdftotext", "-enc", "UTF-8", signed_by_hand, "-"))
    assert "认罪认罚具结书" in text
    assert agreement.suspect.name in text
    assert agreement.suspect.id_number in text
    assert "构成盗窃罪" in text
    assert flat(agreement.recommendation.text()) in text
    assert "本人同意本案适用速裁程序审理" in text
    assert agreement.lawyer.name in text and agreement.lawyer.law_firm in text
    assert agreement.prosecutor in text
    assert "案号：东滨检刑诉〔2026〕1234号" in text
    assert "第1页/共2页" in text and "第2页/共2页" in text


def test_no_line_starts_with_closing_punctuation(signed_by_hand: Path, long_facts: Path) -> None:
    for pdf in (signed_by_hand, long_facts):
        for line in run("pdftotext", "-enc", "UTF-8", pdf, "-").splitlines():
            assert not re.match(r"\s*[，。、；：？！）》」』”]", line), line


def test_handwritten_signatures_are_drawn_as_images(signed_by_hand: Path, tmp_path: Path) -> None:
    images = [r.split() for r in run("pdfimages", "-list", signed_by_hand).splitlines()[2:]]
    colour = [r for r in images if r[2] == "image"]
    assert len(colour) == 2
    assert all(int(r[12]) >= 300 for r in colour), "signature images below 300 ppi"
    signed_text = flat(run("pdftotext", "-enc", "UTF-8", signed_by_hand, "-"))
    assert "日期：2026年11月22日" in signed_text


def test_unsigned_draft_has_blank_signature_lines(agreement: PleaAgreement, tmp_path: Path) -> None:
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(render_agreement(agreement, {}))
    assert run("pdfimages", "-list", pdf).splitlines()[2:] == []
    text = flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
    assert "犯罪嫌疑人签名：" in text and "日期：年月日" in text


def test_all_signature_fields_exist_and_are_empty(signed_by_hand: Path) -> None:
    with signed_by_hand.open("rb") as f:
        found = {name: value for name, value, _ in enumerate_sig_fields(PdfFileReader(f))}
    assert set(found) == {"Procuratorate", "Suspect", "Lawyer"}
    assert all(value is None for value in found.values())


def test_long_facts_flow_over_several_pages(long_facts: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", long_facts)).group(1))
    assert pages >= 3
    last_page = flat(run("pdftotext", "-enc", "UTF-8", "-f", str(pages), long_facts, "-"))
    assert "自愿签署声明" in last_page and "犯罪嫌疑人签名" in last_page
    assert "值班律师签名" in last_page and f"第{pages}页/共{pages}页" in last_page
    text = flat(run("pdftotext", "-enc", "UTF-8", long_facts, "-"))
    assert "第1节" in text and "第40节" in text and "事实部分完。" in text


def test_pages_render_with_ink(signed_by_hand: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-r", "60", "-png", signed_by_hand, tmp_path / "page")
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    for page in pages:
        gray = Image.open(page).convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 500, f"{page.name} looks blank"


def test_signature_for_an_unknown_role_is_refused(agreement: PleaAgreement) -> None:
    with pytest.raises(AgreementRenderError):
        render_agreement(agreement, {"prosecutor": synthetic_signature("prosecutor", "x", 1)})
    with pytest.raises(AgreementRenderError):
        render_agreement(agreement, {"suspect": synthetic_signature("lawyer", "x", 1)})


def test_rendering_is_fast_enough_for_the_signing_step(agreement: PleaAgreement) -> None:
    import time

    signatures = {"suspect": synthetic_signature("suspect", agreement.suspect.name, 1)}
    start = time.perf_counter()
    pdf = render_agreement(agreement, signatures)
    assert time.perf_counter() - start < 3.0  # about 0.2 s on two cores; generous for CI
    assert pdf.startswith(b"%PDF-") and io.BytesIO(pdf).getbuffer().nbytes < 1_000_000


def test_shipped_font_is_the_ming_face_with_its_licence() -> None:
    from fontTools.ttLib import TTFont

    path = cjk_font_path()
    assert path.name == "uming-cn.ttf"
    with TTFont(path, lazy=True) as font:
        assert font["name"].getDebugName(1) == "AR PL UMing CN"
        assert "glyf" in font  # TrueType outlines: the only kind reportlab can embed
        assert "Modified" in font["name"].getDebugName(10)  # notice the licence requires
    licence = (path.parent / "LICENSE-ARPHIC.txt").read_text(encoding="ascii")
    assert "ARPHIC PUBLIC LICENSE" in licence


def test_markup_characters_in_facts_are_printed_literally(
    agreement: PleaAgreement, tmp_path: Path
) -> None:
    odd = dataclasses.replace(agreement, facts="被害人称：<b>电瓶</b> & 充电器共计2件。")
    pdf = tmp_path / "odd.pdf"
    pdf.write_bytes(render_agreement(odd, {}))
    assert "<b>电瓶</b>&充电器共计2件" in flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
