"""The coach commands through Typer's CliRunner on the real ``backsafe`` app; exit codes per DESIGN.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backsafe.cli import app as backsafe_app

runner = CliRunner()
TODAY = dt.date.today()


@pytest.fixture
def app() -> typer.Typer:
    return backsafe_app


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
    from backsafe.coach.flags import FLAG_TITLES

    # §9 plain words: each flag as its title and message, no codes
    assert FLAG_TITLES["no_warmup"] in r.output and FLAG_TITLES["bodyweight_first"] in r.output
    assert "no_warmup" not in r.output and "bodyweight_first" not in r.output and "FLAG" not in r.output
    assert "Goblet squat" in r.output and "@ 12 kg" in r.output
    r = run(app, "log", "--db", db, "--date", d(3), "--exercise", "goblet_squat", "--load-kg", "16", "--sets", "3",
            "--reps", "10", "--warmup", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert "load_jump" in [f["code"] for f in doc["flags"]]
    assert (doc["load_kg"], doc["unit"], doc["load"]) == (16.0, "kg", "16 kg")
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
    assert r.exit_code == 0
    assert json.loads(run(app, "export", "--db", db).output)["triage"][-1]["outcome"] == "proceed"
    r = run(app, "triage", "--db", db, "--yes", "fever", "--format", "json")
    assert json.loads(r.output)["outcome"] == "urgent"  # §1: fever = possible infection, same day
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
    assert "Goblet squat" in r.output and "goblet_squat" not in r.output and "11 kg" in r.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64" in html.read_text()
    doc = json.loads(run(app, "progress", "--db", db, "--format", "json").output)
    assert doc["load_kg"]["goblet_squat"][-1] == 11


# --- [1/6] coach safety: units, plausibility, profile, outcome, sleep, plain words ---------------------------------


def _log_args(db: str, *extra: str) -> list[str]:
    return ["log", "--db", db, "--date", d(3), "--exercise", "goblet_squat", "--sets", "3", "--reps", "10", *extra]


def test_db_in_a_missing_folder_is_refused(app, tmp_path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    r = run(app, *_log_args(f"sqlite:///{missing / 'x.db'}"))
    assert r.exit_code == 3, r.output
    assert "does not exist" in r.output
    assert not (tmp_path / "nonexistent").exists()  # nothing created


def test_db_in_a_missing_folder_from_env_is_refused(app, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BACKSAFE_DATABASE_URL", f"sqlite:///{tmp_path / 'nope' / 'x.db'}")
    r = run(app, "checkin", "--pain", "2")
    assert r.exit_code == 3 and "does not exist" in r.output
    assert not (tmp_path / "nope").exists()


def test_log_load_in_pounds(app, db) -> None:
    assert run(app, "profile", "--db", db, "--unit", "lb").exit_code == 0
    r = run(app, *_log_args(db, "--load", "30lb", "--warmup"))
    assert r.exit_code == 0, r.output
    assert "@ 30 lb" in r.output
    doc = json.loads(run(app, *_log_args(db, "--load", "25", "--format", "json")).output)  # a number: their unit
    assert (doc["load_kg"], doc["unit"], doc["load"]) == (11.34, "lb", "25 lb")
    doc = json.loads(run(app, *_log_args(db, "--load", "13.6kg", "--format", "json")).output)
    assert (doc["load_kg"], doc["load"]) == (13.6, "30 lb")
    loads = [e["load_kg"] for e in json.loads(run(app, "export", "--db", db).output)["sessions"][0]["entries"]]
    assert loads == [13.608, 11.34, 13.6]  # stored in kg


def test_load_given_twice_is_a_usage_error(app, db) -> None:
    r = run(app, *_log_args(db, "--load", "30lb", "--load-kg", "13.6"))
    assert r.exit_code == 2 and "give the load once" in r.output
    assert json.loads(run(app, "export", "--db", db).output)["sessions"] == []


@pytest.mark.parametrize("load", [["--load-kg", "400"], ["--load", "400kg"], ["--load", "900lb"]])
def test_implausible_goblet_squat_refused(app, db, load) -> None:
    r = run(app, *_log_args(db, *load))
    assert r.exit_code == 3, r.output
    assert "goblet squat is more than" in r.output and "check the number and the unit" in r.output
    assert json.loads(run(app, "export", "--db", db).output)["sessions"] == []


def test_checkin_sleep_stored_and_severe_pain_first(app, db) -> None:
    r = run(app, "checkin", "--db", db, "--date", d(2), "--pain", "2", "--sleep-hours", "6.5")
    assert r.exit_code == 0 and "slept 6.5 h" in r.output
    doc = json.loads(run(app, "export", "--db", db).output)
    assert doc["checkins"] == [{"date": d(2), "pain": 2, "sleep_hours": 6.5}]
    assert run(app, "checkin", "--db", db, "--pain", "2", "--sleep-hours", "30").exit_code == 3
    r = run(app, "checkin", "--db", db, "--date", d(1), "--pain", "9")
    assert r.exit_code == 0
    first, *rest = r.output.splitlines()
    from backsafe.coach.flags import FLAG_TITLES

    # §1 severe pain: said first, in plain words, not only "Check-in saved"
    assert first.startswith(FLAG_TITLES["severe_pain"] + ":") and "severe_pain" not in r.output
    assert "\x1b[" not in r.output  # no colour codes when stdout is not a terminal
    assert rest[-1].startswith("Check-in saved")


def test_stop_flags_in_colour_only_on_a_terminal(app, db, monkeypatch) -> None:
    import backsafe.cli.coach as cli

    monkeypatch.setattr(cli, "_color", lambda: True)
    r = run(app, "checkin", "--db", db, "--date", d(1), "--pain", "9")
    assert r.output.splitlines()[0].startswith("\x1b[")  # bold red
    monkeypatch.undo()
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    assert cli._color() is False


def test_profile_command(app, db, tmp_path) -> None:
    r = run(app, "profile", "--db", db)
    assert r.exit_code == 0 and "Unit: kg" in r.output and "standard steps" in r.output
    f = tmp_path / "p.toml"
    f.write_text('unit = "lb"\nbody_mass = "80kg"\nsex = "male"\n[equipment]\nkettlebell = ["8kg", "12kg", "16kg"]\n')
    r = run(app, "profile", "--db", db, "--from-file", str(f), "--equipment", "dumbbell=5,10,15", "--tempo",
            "3-1-2-0", "--wake-time", "06:30", "--age", "41", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["unit"] == "lb" and doc["body_mass_kg"] == 80.0 and doc["sex"] == "male" and doc["age_years"] == 41
    assert doc["equipment"] == {"dumbbell": [5.0, 10.0, 15.0], "kettlebell": [17.64, 26.46, 35.27]}
    assert doc["default_tempo"] == "3-1-2-0" and doc["wake_time"] == "06:30"
    text = run(app, "profile", "--db", db).output
    assert "Unit: lb" in text and "dumbbell: 5, 10, 15 lb" in text and "176.4 lb" in text
    for bad, code in ((["--unit", "stone"], 3), (["--equipment", "dumbbell"], 3), (["--body-mass", "heavy"], 3),
                      (["--from-file", str(tmp_path / "missing.toml")], 3)):
        r = run(app, "profile", "--db", db, *bad)
        assert r.exit_code == code, (bad, r.output)
    f.write_text('units = "lb"\n')
    r = run(app, "profile", "--db", db, "--from-file", str(f))
    assert r.exit_code == 3 and "unknown key 'units'" in r.output
    assert json.loads(run(app, "profile", "--db", db, "--format", "json").output) == doc  # unchanged


def test_outcome_command_and_progress(app, db) -> None:
    r = run(app, "outcome", "--db", db, "--date", d(21), "--pain-week", "6", "--psfs", "tying shoes=3",
            "--psfs", "walking 30 min=4")
    assert r.exit_code == 0, r.output
    r = run(app, "outcome", "--db", db, "--date", d(0), "--pain-week", "3", "--psfs", "tying shoes=6",
            "--psfs", "walking 30 min=6")
    assert "Pain down from 6 to 3/10 — a meaningful change" in r.output
    assert "from 3.5 to 6/10 — a meaningful change" in r.output
    out = run(app, "progress", "--db", db).output
    assert "Pain down from 6 to 3/10 — a meaningful change" in out
    doc = json.loads(run(app, "progress", "--db", db, "--format", "json").output)
    assert [c["measure"] for c in doc["changes"]] == ["pain_nrs", "psfs"] and all(c["meaningful"]
                                                                                 for c in doc["changes"])
    exported = json.loads(run(app, "export", "--db", db).output)
    assert len(exported["outcomes"]) == 6
    for bad in (["--pain-week", "11"], ["--psfs", "noscore"], ["--psfs", "x=12"], []):
        r = run(app, "outcome", "--db", db, *bad)
        assert r.exit_code == 3, (bad, r.output)
    assert len(json.loads(run(app, "export", "--db", db).output)["outcomes"]) == 6


def test_new_commands_registered(app) -> None:
    out = run(app, "--help").output
    assert "profile" in out and "outcome" in out
    assert "--explain" in run(app, "plan", "--help").output
    assert "--sleep-hours" in run(app, "checkin", "--help").output


def test_rules_command_resolves_every_id_the_plan_names(app, db) -> None:
    run(app, "triage", "--db", db, "--none", "--date", d(3))
    run(app, "log", "--db", db, "--date", d(2), "--exercise", "goblet_squat", "--load", "14kg", "--sets", "3",
        "--reps", "10", "--pain-during", "6", "--warmup")
    ids = json.loads(run(app, "plan", "--db", db, "--format", "json").output)["rules"]
    assert "drop-below-trigger" in ids
    r = run(app, "rules", *ids)
    assert r.exit_code == 0 and r.output.count("Source:") == len(ids) and "§" not in r.output
    assert run(app, "rules", "no-such-rule").exit_code == 3


def test_plan_at_a_terminal_asks_the_safety_questions_first(tmp_path) -> None:
    """§1 State: with no answers on record, `plan` at a terminal asks the questions before the plan."""
    import os
    import pty
    import subprocess
    import sys
    import time

    exe = Path(sys.executable).with_name("backsafe")
    master, slave = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([str(exe), "plan", "--db", f"sqlite:///{tmp_path / 'tty.db'}"], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        import select

        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            out += chunk
            if chunk.rstrip().endswith((b"[y/N]:", b"[y/N]")):
                os.write(master, b"n\n")
    proc.wait(timeout=10)
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(master)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "safety questions" in text and "GO AHEAD" in text and "NOT CHECKED YET" not in text


def test_load_lb_option_and_flags_in_the_unit_it_chose(app, db) -> None:
    """`log --load-lb 30` is `--load 30lb` (the issue tried --load-lb); the entry's own flags already speak lb."""
    run(app, "triage", "--db", db, "--none", "--date", d(3))
    r = run(app, "log", "--db", db, "--date", d(2), "--exercise", "goblet_squat", "--load-lb", "30", "--sets", "3",
            "--reps", "10", "--pain-during", "6", "--warmup")
    assert r.exit_code == 0, r.output
    assert "@ 30 lb" in r.output and " kg" not in r.output
    doc = json.loads(run(app, "plan", "--db", db, "--date", d(0), "--format", "json").output)
    (rx,) = [p for p in doc["exercises"] if p["exercise"] == "goblet_squat"]
    assert rx["load_text"] == "25 lb" and doc["unit"] == "lb"
    both = run(app, "log", "--db", db, "--exercise", "squat", "--load-lb", "30", "--load-kg", "3", "--sets", "1",
               "--reps", "1")
    assert both.exit_code == 2
