"""``pleadesk schedule plan`` and ``report`` on real files, through the module's ``register``."""

from __future__ import annotations

import argparse
import csv
import json

from repo import DAY_EXAMPLE

from desktop.cli import schedule as cli_schedule
from session.scheduling import io, scenarios

EXAMPLE = DAY_EXAMPLE


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pleadesk")
    cli_schedule.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.run(args)


def test_plan_writes_every_request_booked_or_explained(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert run("schedule", "plan", "--requests", str(EXAMPLE), "--out", str(out)) == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    requests = json.loads(EXAMPLE.read_text(encoding="utf-8"))["requests"]
    placed = [b["request"] for b in plan["bookings"]] + [u["request"] for u in plan["unplaced"]]
    assert sorted(placed) == sorted(r["id"] for r in requests)
    assert {"request": "Q09", "reason": "no interpreter speaks kk"} in plan["unplaced"]
    printed = capsys.readouterr().out
    assert "placed 8 of 10 requests" in printed
    assert "not placed Q09: no interpreter speaks kk" in printed


def test_the_design_day_places_all_80_from_the_command_line(tmp_path, capsys):
    requests = tmp_path / "day.json"
    io.write_json(requests, io.input_to_json(*scenarios.tight_day(named_prosecutors=True)))
    out, naive_out = tmp_path / "plan.json", tmp_path / "naive.json"
    assert run("schedule", "plan", "--requests", str(requests), "--out", str(out)) == 0
    assert (
        run("schedule", "plan", "--requests", str(requests), "--out", str(naive_out), "--naive")
        == 0
    )
    assert len(json.loads(out.read_text())["bookings"]) == 80
    assert len(json.loads(naive_out.read_text())["bookings"]) < 80


def test_a_bad_file_stops_with_the_field_named(tmp_path, capsys):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["requests"][4]["minutes"] = -5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "plan.json"
    assert run("schedule", "plan", "--requests", str(bad), "--out", str(out)) == 2
    assert "requests[4].minutes: must be a whole number from 1 to 1440" in capsys.readouterr().err
    assert not out.exists()


def test_report_writes_csv_from_a_plan_and_from_the_store(tmp_path, capsys):
    plan, db, folder = tmp_path / "plan.json", tmp_path / "schedule.sqlite3", tmp_path / "csv"
    assert (
        run("schedule", "plan", "--requests", str(EXAMPLE), "--out", str(plan), "--db", str(db))
        == 0
    )
    capsys.readouterr()
    assert (
        run(
            "schedule",
            "report",
            "--requests",
            str(EXAMPLE),
            "--plan",
            str(plan),
            "--csv",
            str(folder),
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "2026-03-02: 8 booked, 0 held, 0 signed" in printed
    assert "duty-lawyer allowance: 400 yuan" in printed
    with (folder / "lawyers.csv").open(encoding="utf-8") as f:
        lawyers = list(csv.DictReader(f))
    assert [(r["lawyer"], r["sessions"]) for r in lawyers] == [("L01", "4"), ("L02", "4")]
    assert {p.name for p in folder.iterdir()} == {"rooms.csv", "lawyers.csv", "days.csv"}
    assert run("schedule", "report", "--db", str(db)) == 0
    assert "duty-lawyer allowance: 400 yuan" in capsys.readouterr().out


def test_report_without_bookings_says_what_is_missing(tmp_path, capsys):
    assert run("schedule", "report", "--requests", str(EXAMPLE)) == 2
    assert "give --plan or --db" in capsys.readouterr().err
