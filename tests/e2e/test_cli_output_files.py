"""`analyze --format ...`: the files it writes (report.txt for --format text) and their modes (owner only: a report
is personal health data)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backsafe.cli import app


def test_text_report_file_and_modes(datasets: Path, tmp_path: Path) -> None:
    src = datasets / "exercise_correction" / "lunge" / "lunge_stage_test.csv"
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(src), "--input-format", "blazepose-csv", "--fps", "30",
                                 "--exercise", "lunge", "--out", str(out), "--format", "json", "--format", "text",
                                 "--format", "html"])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["report.html", "report.json", "report.txt"], names
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "Lunge" in text and "\x1b[" not in text  # the summary, without colour codes
    assert text.strip().splitlines()[0] in r.stdout  # the same summary as printed
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p.name, oct(p.stat().st_mode))


def test_no_format_writes_json_and_prints(datasets: Path, tmp_path: Path) -> None:
    src = datasets / "exercise_correction" / "lunge" / "lunge_stage_test.csv"
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(src), "--input-format", "blazepose-csv", "--fps", "30",
                                 "--exercise", "lunge", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]  # DESIGN.md: json written, summary printed
    assert "Lunge" in r.stdout


def test_per_frame_csv_reads_back_with_units(datasets: Path, tmp_path: Path) -> None:
    import csv
    import json

    src = datasets / "exercise_correction" / "lunge" / "lunge_stage_test.csv"
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(src), "--input-format", "blazepose-csv", "--fps", "30",
                                 "--exercise", "lunge", "--out", str(out), "--format", "csv", "--format", "json"])
    assert r.exit_code == 0, r.output
    with open(out / "frames.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    doc = json.loads((out / "report.json").read_text())
    assert len(body) == doc["input"]["frames"] == 1205  # one row per analysed frame
    assert header[:2] == ["frame", "time [s]"]
    assert "knee_flexion_deg [deg]" in header and "left_hip_x [px]" in header and "left_hip_conf [0-1]" in header
    t = [float(row[1]) for row in body]
    assert t == sorted(t) and abs(t[1] - t[0] - 1 / 30) < 1e-6
    assert all(len(row) == len(header) for row in body)


def test_config_file_fills_what_the_command_line_leaves_out(datasets: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    conf = tmp_path / "config.toml"
    conf.write_text('unit = "lb"\nbody_mass = "198lb"\nsex = "female"\ndefault_tempo = "2-0-2-0"\n',
                    encoding="utf-8")
    monkeypatch.setenv("BACKSAFE_CONFIG", str(conf))
    src = datasets / "exercise_correction" / "lunge" / "lunge_stage_test.csv"
    base = ["analyze", str(src), "--input-format", "blazepose-csv", "--fps", "30", "--exercise", "lunge",
            "--format", "json"]
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    assert abs(doc["input"]["body_mass_kg"] - 198 * 0.45359237) < 0.01
    assert doc["input"]["tempo_prescribed"] == "2-0-2-0"
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "b"), "--body-mass-kg", "70", "--tempo", "3-1-2-0"])
    doc = json.loads((tmp_path / "b" / "report.json").read_text())
    assert doc["input"]["body_mass_kg"] == 70 and doc["input"]["tempo_prescribed"] == "3-1-2-0"  # the option wins
    conf.write_text('bodymass = 80\n', encoding="utf-8")
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "c")])
    assert r.exit_code == 3 and "unknown key 'bodymass'" in r.output  # a typo is refused, not ignored
