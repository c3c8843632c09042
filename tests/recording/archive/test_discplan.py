"""Disc plans: a 30 GB day on DVDs and BDs, by case or packed, bags split only when needed."""

from __future__ import annotations

import pytest

from recording.archive.discplan import MEDIA, BagToPlan, DiscPlan, PlanError, plan_discs, sectors

GB = 1000**3
MiB = 1024**2
HASHES = "data/plaintext-sha256.json.age"


def _bag(bag_id: str, case: str, recording_gb: float, pieces: int = 1) -> BagToPlan:
    """A sealed session: recording (possibly in pieces), agreement, audit log, hash list."""
    size = int(recording_gb * GB)
    if pieces == 1:
        recording = [("data/recording/composite.mkv.age", size)]
    else:
        piece = -(-size // pieces)
        recording = [
            (f"data/recording/composite.mkv.age.{n:03d}", min(piece, size - (n - 1) * piece))
            for n in range(1, pieces + 1)
        ]
    files = (
        *recording,
        ("data/documents/agreement.pdf.age", 180_000),
        ("data/logs/audit.jsonl.age", 40_000),
        (HASHES, 900),
    )
    return BagToPlan(bag_id, case, tuple(files), 3_000, shared=(HASHES,))


# A 30 GB day: 14 sessions in 6 cases; one session ran long (9.6 GB in 1 GiB pieces).
DAY = [
    _bag("S01", "京朝检刑认〔2026〕101号", 1.4),
    _bag("S02", "京朝检刑认〔2026〕101号", 2.1),
    _bag("S03", "京朝检刑认〔2026〕102号", 0.9),
    _bag("S04", "京朝检刑认〔2026〕103号", 3.6),
    _bag("S05", "京朝检刑认〔2026〕103号", 1.2),
    _bag("S06", "京朝检刑认〔2026〕104号", 9.6, pieces=9),
    _bag("S07", "京朝检刑认〔2026〕105号", 0.7),
    _bag("S08", "京朝检刑认〔2026〕105号", 1.1),
    _bag("S09", "京朝检刑认〔2026〕105号", 1.9),
    _bag("S10", "京朝检刑认〔2026〕106号", 2.4),
    _bag("S11", "京朝检刑认〔2026〕106号", 1.3),
    _bag("S12", "京朝检刑认〔2026〕106号", 0.8),
    _bag("S13", "京朝检刑认〔2026〕106号", 1.5),
    _bag("S14", "京朝检刑认〔2026〕106号", 1.5),
]


def _plan(media: str, mode: str, bags: list[BagToPlan] = DAY) -> DiscPlan:
    return plan_discs(
        bags,
        media,
        mode,
        plan_id="P1",
        created="2026-11-22T18:00:00+08:00",
        disc_prefix="PD20261122",
    )


def _check_complete_and_fitting(plan: DiscPlan, bags: list[BagToPlan]) -> None:
    """Every payload file is on exactly one disc (the hash list on every part); all fit."""
    capacity = MEDIA[plan.media].usable_sectors
    placed: dict[tuple[str, str], int] = {}
    for disc in plan.discs:
        assert disc.sectors <= capacity, disc.disc_id
        for part in disc.parts:
            for path in part.files:
                placed[(part.bag_id, path)] = placed.get((part.bag_id, path), 0) + 1
    for bag in bags:
        parts = [p for d in plan.discs for p in d.parts if p.bag_id == bag.bag_id]
        for path, _ in bag.files:
            expected = len(parts) if path in bag.shared else 1
            assert placed.pop((bag.bag_id, path)) == expected, (bag.bag_id, path)
    assert placed == {}


def test_a_30_gb_day_packed_on_dvds_splits_only_the_bag_larger_than_a_disc() -> None:
    assert sum(b.sectors for b in DAY) * 2048 > 30 * GB
    plan = _plan("dvd", "pack")
    _check_complete_and_fitting(plan, DAY)
    assert 7 <= len(plan.discs) <= 8  # 30.9 GB over 4.68 GB discs
    split = {p.bag_id for d in plan.discs for p in d.parts if p.of > 1}
    assert split == {"S06"}
    parts = sorted((p.part, p.of) for d in plan.discs for p in d.parts if p.bag_id == "S06")
    assert parts == [(1, 3), (2, 3), (3, 3)]
    assert [d.disc_id for d in plan.discs][:2] == ["PD20261122_01", "PD20261122_02"]
    folders = {p.folder for d in plan.discs for p in d.parts}
    assert {"S06-part1of3", "S06-part3of3", "S01"} <= folders


def test_one_case_per_disc_never_mixes_cases() -> None:
    plan = _plan("dvd", "case")
    _check_complete_and_fitting(plan, DAY)
    assert all(len(disc.case_numbers) == 1 for disc in plan.discs)
    cases = {bag.case_number for bag in DAY}
    assert {disc.case_numbers[0] for disc in plan.discs} == cases
    assert len(plan.discs) >= len(cases)


def test_on_bd_the_day_fits_two_discs_with_nothing_split() -> None:
    plan = _plan("bd", "pack")
    _check_complete_and_fitting(plan, DAY)
    assert len(plan.discs) == 2
    assert all(part.of == 1 for disc in plan.discs for part in disc.parts)


def test_plan_survives_a_round_trip_through_json() -> None:
    plan = _plan("dvd", "pack")
    assert DiscPlan.from_json(plan.to_json()) == plan
    with pytest.raises(PlanError, match="not a disc plan"):
        DiscPlan.from_json({"format": "something else"})


def test_a_single_file_larger_than_a_disc_is_refused_with_advice() -> None:
    whole = _bag("S99", "京朝检刑认〔2026〕999号", 5.0)
    with pytest.raises(PlanError, match="larger than a whole disc"):
        _plan("dvd", "pack", [whole])


def test_counting_rounds_up_to_sectors() -> None:
    assert sectors(0) == 1
    assert sectors(1) == 2
    assert sectors(2048) == 2
    assert sectors(MiB) == 513
