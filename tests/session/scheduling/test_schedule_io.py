"""The planner's JSON files: the example reads, plans survive a round trip, and every mistake
names its field."""

from __future__ import annotations

import copy
import json

import pytest
from repo import DAY_EXAMPLE

from session.scheduling import io, planner
from session.scheduling.model import RoomKind

EXAMPLE = DAY_EXAMPLE


@pytest.fixture
def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_the_example_day_reads_with_every_part(example):
    resources, requests = io.read_input(example)
    assert resources.changeover_minutes == 3
    assert [r.kind for r in resources.rooms][-1] is RoomKind.WAITING
    assert resources.room("R01").name == "远程讯问室一"
    assert resources.interpreters[0].languages == ("ug",)
    assert len(requests) == 10 and requests[0].case == "南检刑认〔2026〕101号"
    assert requests[2].interpreter_language == "ug" and requests[0].prosecutor == "P01"


def test_input_and_plan_survive_a_round_trip(example, tmp_path):
    resources, requests = io.read_input(example)
    assert io.read_input(io.input_to_json(resources, requests)) == (resources, requests)
    plan = planner.plan(resources, requests)
    out = tmp_path / "plan.json"
    io.write_json(out, io.plan_to_json(plan))
    again = io.load_plan(out)
    assert again.bookings == plan.bookings
    assert [(u.request, u.reason) for u in again.unplaced] == [
        (u.request, u.reason) for u in plan.unplaced
    ]
    written = json.loads(out.read_text(encoding="utf-8"))
    assert set(written) == {"bookings", "unplaced"}
    assert set(written["bookings"][0]) == {
        "request",
        "room",
        "prosecutor",
        "lawyer",
        "interpreter",
        "start",
        "end",
    }
    assert written["bookings"][0]["start"] == "2026-03-02T09:00"


def broken(example: dict, change) -> dict:
    data = copy.deepcopy(example)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("changeover_minutes"), "changeover_minutes: is missing"),
        (lambda d: d.update(changeover_minutes=-1), "changeover_minutes: must be a whole number"),
        (lambda d: d["requests"][3].update(minutes=0), "requests[3].minutes: must be a whole"),
        (lambda d: d["requests"][3].update(minutes="12"), "requests[3].minutes: must be a whole"),
        (lambda d: d["requests"][1].pop("case"), "requests[1].case: is missing"),
        (lambda d: d["requests"][1].update(lang="ug"), 'requests[1]: unknown field "lang"'),
        (
            lambda d: d["requests"][0].update(prosecutor="P99"),
            'requests[0].prosecutor: "P99" is not among the prosecutors',
        ),
        (lambda d: d["requests"][1].update(id="Q01"), 'requests[1].id: "Q01" is listed twice'),
        (lambda d: d["rooms"][0].update(kind="cell"), "rooms[0].kind: must be one of"),
        (
            lambda d: d["rooms"][1]["available"][0].__setitem__(0, "2026-03-02 09:00"),
            "rooms[1].available[0][0]: must be a time like 2026-03-02T09:00",
        ),
        (
            lambda d: d["lawyers"][0].update(available=[["2026-03-02T11:00", "2026-03-02T09:00"]]),
            "lawyers[0].available[0]: must end after it starts",
        ),
        (lambda d: d["interpreters"][0].pop("languages"), "interpreters[0].languages: is missing"),
        (lambda d: d.update(rooms={}), "rooms: must be a list"),
        (lambda d: d["rooms"][0].update(site="XX"), 'rooms[0].site: "XX" is not among the sites'),
    ],
)
def test_a_mistake_names_the_field(example, change, message):
    with pytest.raises(io.ScheduleInputError) as raised:
        io.read_input(broken(example, change))
    assert str(raised.value).startswith(message), str(raised.value)


def test_unreadable_files_are_refused_plainly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(io.ScheduleInputError, match="is not valid JSON"):
        io.load_input(bad)
    with pytest.raises(io.ScheduleInputError, match="cannot read"):
        io.load_input(tmp_path / "missing.json")
    with pytest.raises(io.ScheduleInputError, match=r"bookings\[0\]\.start: is missing"):
        io.read_plan(
            {
                "bookings": [
                    {
                        "request": "Q",
                        "room": "R",
                        "prosecutor": "P",
                        "lawyer": "L",
                        "end": "2026-03-02T09:00",
                    }
                ]
            }
        )
