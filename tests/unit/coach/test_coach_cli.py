"""The coach commands through Typer's CliRunner on a local app (register(app)); exit codes per DESIGN.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backsafe.coach_cli import register

runner = CliRunner()
TODAY = dt.date.today()


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)
    return a


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(app, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def d(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def test_commands_registered(app) -> None:
    out = run(app, "--help").output
    for name in ("triage", "plan", "log", "checkin", "progress", "exercises", "export", "import"):
        assert name in out


def test_log_prints_flags_and_checkin(app, db) -> None:
    r = run(app, "log", "--db", db, "--date", d(5), "--exercise", "goblet_squat", "--load-kg", "12", "--sets", "3",
            "--reps", "10", "--rpe", "7", "--pain-before", "1", "--pain-during", "2", "--pain-after", "3",
            "--no-warmup")
    assert r.exit_code == 0, r.output
    assert "FLAG no_warmup" in r.output and "FLAG bodyweight_first" in r.output
    r = run(app, "log", "--db", db, "--date", d(3), "--exercise", "goblet_squat", "--load-kg", "16", "--sets", "3",
            "--reps", "10", "--warmup", "--format", "json")
    assert r.exit_code == 0
    assert [f["code"] for f in json.loads(r.output)["flags"]] == ["load_jump"]
    assert run(app, "checkin", "--db", db, "--date", d(2), "--pain", "2").exit_code == 0


@pytest.mark.parametrize(
    ("args", "code", "msg"),
    [
        (["--exercise", "goblet_sqat"], 2, "unknown exercise"),
        (["--load-kg", "-4"], 3, "negative"),
        (["--load-kg", "900"], 3, "above 500"),
        (["--pain-during", "11"], 3, "0-10"),
        (["--date", (TODAY + dt.timedelta(days=2)).isoformat()], 3, "in the future"),
        (["--date", "20-11-2026"], 3, "YYYY-MM-DD"),
    ],
)
def test_log_bad_input_exit_codes(app, db, args, code, msg) -> None:
    base = {"--exercise": "squat", "--sets": "2", "--reps": "8", "--load-kg": "0", "--date": d(1)}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    flat = [x for kv in base.items() for x in kv]
    r = run(app, "log", "--db", db, *flat)
    assert r.exit_code == code, r.output
    assert msg in r.output
    exported = json.loads(run(app, "export", "--db", db).output)
    assert exported["sessions"] == []


def test_broken_db_url_exit_code(app) -> None:
    r = run(app, "checkin", "--db", "nosuch://x", "--pain", "2")
    assert r.exit_code == 3 and "database URL" in r.output
    r = run(app, "checkin", "--db", "postgresql://nobody@127.0.0.1:1/x", "--pain", "2")
    assert r.exit_code == 1 and "cannot connect" in r.output


def test_plan_json_contract(app, db) -> None:
    run(app, "triage", "--db", db, "--none", "--date", d(6))
    run(app, "log", "--db", db, "--date", d(4), "--exercise", "squat", "--sets", "2", "--reps", "8", "--warmup")
    r = run(app, "plan", "--db", db, "--date", TODAY.isoformat(), "--format", "json", "--wake-time", "06:30")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["triage"] in ("proceed", "rest", "clinician", "emergency")
    assert all({"name", "dose"} <= set(w) for w in doc["warmup"])
    assert doc["exercises"] and all({"exercise", "load_kg", "sets", "reps", "tempo", "reason"} <= set(p)
                                    for p in doc["exercises"])
    assert isinstance(doc["recovery"], dict) and doc["recovery"]["bedtime"] == "22:15"
    assert isinstance(doc["flags"], list)
    text = run(app, "plan", "--db", db).output
    assert "Warm-up" in text and "film:" in text and "not medical advice" in text


def test_triage_interactive_emergency_stops_everything(app, db) -> None:
    r = run(app, "triage", "--db", db, input="y\n")  # first question: bladder/bowel change
    assert r.exit_code == 0
    assert "EMERGENCY" in r.output and "Seek emergency care now" in r.output
    plan = json.loads(run(app, "plan", "--db", db, "--format", "json").output)
    assert plan["triage"] == "emergency" and plan["exercises"] == [] and plan["warmup"] == []


def test_triage_interactive_all_no_and_flags(app, db) -> None:
    r = run(app, "triage", "--db", db, input="n\n" * 30)
    assert "PROCEED" in r.output
    r = run(app, "triage", "--db", db, "--yes", "fever", "--format", "json")
    assert json.loads(r.output)["outcome"] == "clinician"
    r = run(app, "triage", "--db", db, "--injury-date", d(1), "--clinician-cleared", "--format", "json")
    assert json.loads(r.output)["outcome"] == "rest"
    assert run(app, "triage", "--db", db, "--yes", "headache").exit_code == 3
    assert "bladder_bowel_change" in run(app, "triage", "--list-questions").output


def test_triage_answers_file(app, db, tmp_path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"flags": ["chest_pain"]}))
    r = run(app, "triage", "--db", db, "--answers", str(f), "--format", "json")
    assert json.loads(r.output)["outcome"] == "emergency"


def test_exercises_filters(app) -> None:
    doc = json.loads(run(app, "exercises", "--impact", "high", "--format", "json").output)
    assert {e["id"] for e in doc} == {"jump_squat", "burpee", "jump_lunge", "jumping_jack"}
    doc = json.loads(run(app, "exercises", "--pattern", "hinge", "--view", "side", "--format", "json").output)
    assert "deadlift" in {e["id"] for e in doc}
    doc = json.loads(run(app, "exercises", "--spinal-load", "H", "--format", "json").output)
    assert all(e["spinal_load"] == "H" for e in doc)
    assert "goblet_squat" in run(app, "exercises").output


def test_export_import_cli_round_trip(app, db, tmp_path) -> None:
    for i in range(3):
        run(app, "log", "--db", db, "--date", d(10 - 2 * i), "--exercise", "squat", "--sets", "2", "--reps",
            str(8 + i), "--warmup", "--rpe", "6.5")
        run(app, "checkin", "--db", db, "--date", d(9 - 2 * i), "--pain", str(i))
    for fmt in ("json", "csv"):
        out = tmp_path / f"log.{fmt}"
        assert run(app, "export", "--db", db, "--format", fmt, "--out", str(out)).exit_code == 0
        other = f"sqlite:///{tmp_path / f'other_{fmt}.db'}"
        r = run(app, "import", "--db", other, str(out))
        assert r.exit_code == 0, r.output
        assert run(app, "export", "--db", other, "--format", fmt).output == out.read_text()
        assert run(app, "import", "--db", other, str(out)).exit_code == 3  # not empty without --replace


def test_progress_outputs(app, db, tmp_path) -> None:
    for i in range(4):
        run(app, "log", "--db", db, "--date", d(20 - 5 * i), "--exercise", "goblet_squat", "--load-kg", str(8 + i),
            "--sets", "3", "--reps", "10", "--pain-during", str(i), "--warmup")
    png, html = tmp_path / "p.png", tmp_path / "p.html"
    r = run(app, "progress", "--db", db, "--png", str(png), "--html", str(html))
    assert r.exit_code == 0, r.output
    assert "goblet_squat" in r.output and "11 kg" in r.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64" in html.read_text()
    doc = json.loads(run(app, "progress", "--db", db, "--format", "json").output)
    assert doc["load_kg"]["goblet_squat"][-1] == 11
