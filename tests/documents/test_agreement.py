"""The plea agreement data: validation that names the field, JSON round trip, the demo cases."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from documents.agreement import (
    AgreementError,
    Guardian,
    Interpreter,
    Literacy,
    PleaAgreement,
    PrincipalPenalty,
    Procedure,
    SentencingRecommendation,
    chinese_numeral,
    id_check_digit,
    months_text,
)
from documents.samples.case import demo_agreement

ON = date(2026, 11, 22)


@pytest.fixture
def agreement() -> PleaAgreement:
    return demo_agreement("东滨检刑诉〔2026〕1234号", "S-20261122-0001", on=ON)


def replace_json(agreement: PleaAgreement, path: str, value: object) -> dict:
    data = json.loads(json.dumps(agreement.to_json()))
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return data


def test_demo_agreement_is_a_valid_summary_theft_case(agreement: PleaAgreement) -> None:
    assert agreement.charges == ("盗窃罪",)
    assert agreement.procedure is Procedure.SUMMARY
    assert agreement.suspect.detained
    assert agreement.date == ON
    assert agreement.suspect.name in agreement.facts
    assert agreement.recommendation.text().startswith("有期徒刑")


def test_demo_agreement_is_deterministic_per_case_and_session() -> None:
    a = demo_agreement("案1", "S-1", on=ON)
    assert a == demo_agreement("案1", "S-1", on=ON)
    others = {demo_agreement("案1", f"S-{i}", on=ON).suspect.id_number for i in range(2, 8)}
    assert a.suspect.id_number not in others


def test_json_round_trip_through_text(agreement: PleaAgreement) -> None:
    text = json.dumps(agreement.to_json(), ensure_ascii=False)
    assert PleaAgreement.from_json(json.loads(text)) == agreement


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4")],  # GB 11643 examples
)
def test_id_check_digit_matches_the_standard_examples(first17: str, check: str) -> None:
    assert id_check_digit(first17) == check


def test_wrong_id_check_digit_names_the_field(agreement: PleaAgreement) -> None:
    number = agreement.suspect.id_number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(AgreementError) as err:
        PleaAgreement.from_json(replace_json(agreement, "suspect.id_number", wrong))
    assert err.value.field == "suspect.id_number"
    assert "check digit" in err.value.message


def test_id_number_must_agree_with_birth_date(agreement: PleaAgreement) -> None:
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(agreement.suspect, date_of_birth=date(1970, 1, 1))
    assert err.value.field == "suspect.id_number"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("charges", [], "charges"),
        ("charges", ["盗窃"], "charges[0]"),
        ("charges", ["盗窃罪", "盗窃罪"], "charges"),
        ("facts", "   ", "facts"),
        ("case_number", "", "case_number"),
        ("suspect.name", "张三\n李四", "suspect.name"),
        ("recommendation.term_months_min", -3, "recommendation.term_months_min"),
        ("recommendation.term_months_min", True, "recommendation.term_months_min"),
        ("recommendation.term_months_max", 2, "recommendation.term_months_max"),
        ("recommendation.fine_yuan", -100, "recommendation.fine_yuan"),
        ("procedure", "fast", "procedure"),
        ("declaration.plea_voluntary", False, "declaration.plea_voluntary"),
        ("declaration.rights_explained", "yes", "declaration.rights_explained"),
        ("declaration.lawyer_advice_received", False, "declaration.lawyer_advice_received"),
        ("declaration.no_coercion", False, "declaration.no_coercion"),
        ("declaration.clear_mind", False, "declaration.clear_mind"),
        ("declaration.statement", "", "declaration.statement"),
        ("lawyer.law_firm", "", "lawyer.law_firm"),
        ("lawyer.name", "x" * 51, "lawyer.name"),
        ("lawyer.licence_number", "12345", "lawyer.licence_number"),
        ("lawyer.role", "witness", "lawyer.role"),
        ("date", "22/11/2026", "date"),
        ("rights_notice_date", "2026-11-23", "rights_notice_date"),
        ("suspect.gender", None, "suspect.gender"),
        ("suspect.date_of_birth", "2027-01-01", "suspect.id_number"),
        ("suspect.language", "English", "suspect.language"),
        ("suspect.literacy", "reads", "suspect.literacy"),
        ("suspect.detention_place", "", "suspect.detention_place"),
        ("suspect.education", " ", "suspect.education"),
        ("procuratorate", "院" * 65, "procuratorate"),
        ("prosecutor", "", "prosecutor"),
        ("session_id", None, "session_id"),
        ("provisions", ["《刑法》第二百六十四条", "《刑法》第二百六十四条"], "provisions"),
        ("provisions", [""], "provisions[0]"),
        ("recommendation.probation_months", 3, "recommendation.probation_months"),
        ("recommendation.penalty", "death", "recommendation.penalty"),
    ],
)
def test_invalid_field_is_named_in_the_error(
    agreement: PleaAgreement, path: str, value: object, field: str
) -> None:
    with pytest.raises(AgreementError) as err:
        PleaAgreement.from_json(replace_json(agreement, path, value))
    assert err.value.field == field
    assert field in str(err.value)


def test_missing_and_unknown_fields_are_rejected(agreement: PleaAgreement) -> None:
    data = agreement.to_json()
    del data["suspect"]["address"]
    with pytest.raises(AgreementError) as err:
        PleaAgreement.from_json(data)
    assert err.value.field == "suspect.address"
    with pytest.raises(AgreementError) as err:
        PleaAgreement.from_json({**agreement.to_json(), "extra": 1})
    assert err.value.field == "agreement"
    with pytest.raises(AgreementError) as err:
        PleaAgreement.from_json({**agreement.to_json(), "schema": "other/1"})
    assert err.value.field == "schema"


def test_summary_procedure_is_refused_for_more_than_three_years(agreement) -> None:
    long = SentencingRecommendation(PrincipalPenalty.FIXED_TERM_IMPRISONMENT, 42, 42)
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(agreement, recommendation=long)
    assert err.value.field == "procedure"
    assert dataclasses.replace(agreement, recommendation=long, procedure=Procedure.SIMPLIFIED)


@pytest.mark.parametrize(
    ("penalty", "term", "probation"),
    [
        (PrincipalPenalty.PUBLIC_SURVEILLANCE, 6, 12),  # 管制 cannot be suspended
        (PrincipalPenalty.FIXED_TERM_IMPRISONMENT, 48, 60),  # over three years
        (PrincipalPenalty.FIXED_TERM_IMPRISONMENT, 18, 12),  # shorter than the term
        (PrincipalPenalty.CRIMINAL_DETENTION, 3, 13),  # over one year for 拘役
    ],
)
def test_impossible_probation_is_rejected(penalty, term: int, probation: int) -> None:
    with pytest.raises(AgreementError) as err:
        SentencingRecommendation(penalty, term, term, probation_months=probation)
    assert err.value.field == "recommendation.probation_months"


def test_recommendation_text_in_chinese() -> None:
    fixed = SentencingRecommendation(PrincipalPenalty.CRIMINAL_DETENTION, 2, 2, fine_yuan=4000)
    assert fixed.text() == "拘役二个月，并处罚金人民币四千元"
    ranged = SentencingRecommendation(
        PrincipalPenalty.FIXED_TERM_IMPRISONMENT, 12, 18, fine_yuan=5000, probation_months=24
    )
    assert not ranged.is_fixed
    assert ranged.text() == "有期徒刑一年至一年六个月，缓刑二年，并处罚金人民币五千元"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (110, "一百一十"),
        (1010, "一千零一十"),
        (3260, "三千二百六十"),
        (12000, "一万二千"),
        (100_500, "十万零五百"),
    ],
)
def test_chinese_numerals(n: int, text: str) -> None:
    assert chinese_numeral(n) == text


def test_months_are_written_as_years_and_months() -> None:
    assert [months_text(m) for m in (6, 12, 18)] == ["六个月", "一年", "一年六个月"]


def test_a_suspect_reading_no_chinese_needs_an_interpreter(agreement: PleaAgreement) -> None:
    suspect = dataclasses.replace(agreement.suspect, literacy=Literacy.INTERPRETED, language="ko")
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(agreement, suspect=suspect)
    assert err.value.field == "interpreter"


def test_a_foreign_suspect_cannot_just_be_read_to(agreement: PleaAgreement) -> None:
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(agreement.suspect, literacy=Literacy.READ_ALOUD, language="en")
    assert err.value.field == "suspect.literacy"


def test_a_foreign_language_session_needs_the_english_text() -> None:
    foreign = demo_agreement("案1", "S-1", on=ON, language="en")
    assert foreign.needs_english and foreign.interpreter is not None
    assert foreign.suspect.id_number.startswith("9")  # permanent residence card
    assert "JOHN SMITH" in foreign.english.facts and "约翰·史密斯" in foreign.facts
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(foreign, english=None)
    assert err.value.field == "english"
    two = dataclasses.replace(foreign.english, charges=("Theft", "Fraud"))
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(foreign, english=two)
    assert err.value.field == "english.charges"
    assert PleaAgreement.from_json(foreign.to_json()) == foreign


def test_a_minor_signs_with_the_legal_representative(agreement: PleaAgreement) -> None:
    born = date(ON.year - 16, 3, 1)
    first17 = f"440106{born:%Y%m%d}123"
    suspect = dataclasses.replace(
        agreement.suspect, date_of_birth=born, id_number=first17 + id_check_digit(first17)
    )
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(agreement, suspect=suspect)
    assert err.value.field == "guardian"
    minor = dataclasses.replace(agreement, suspect=suspect, guardian=Guardian("王建国", "父亲"))
    assert minor.suspect.age_on(ON) == 16
    with pytest.raises(AgreementError) as err:
        Guardian("王建国", "")
    assert err.value.field == "guardian.relation"
    with pytest.raises(AgreementError) as err:
        Interpreter("", "英语")
    assert err.value.field == "interpreter.name"


def test_the_id_number_gender_digit_is_checked(agreement: PleaAgreement) -> None:
    s = agreement.suspect
    other = s.gender.__class__("female" if s.gender.value == "male" else "male")
    with pytest.raises(AgreementError) as err:
        dataclasses.replace(s, gender=other)
    assert err.value.field == "suspect.id_number" and "gender" in err.value.message


def test_an_implausible_fine_is_refused() -> None:
    with pytest.raises(AgreementError) as err:
        SentencingRecommendation(PrincipalPenalty.CRIMINAL_DETENTION, 2, 2, fine_yuan=10**9)
    assert err.value.field == "recommendation.fine_yuan"


def test_english_rendering_of_the_recommendation() -> None:
    r = SentencingRecommendation(
        PrincipalPenalty.FIXED_TERM_IMPRISONMENT, 12, 18, fine_yuan=5000, probation_months=24
    )
    assert r.english() == (
        "1 year to 1 year and 6 months of fixed term imprisonment, suspended with a "
        "probation period of 2 years, and a fine of RMB 5,000 yuan"
    )
