"""tools/compare_reports.py ``compare``: equal folders pass, run-dependent fields are ignored, anything else fails."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.load_by_path import load_module

TOOL = Path(__file__).resolve().parents[2] / "tools" / "compare_reports.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_module("compare_reports", TOOL, register=True)


def _done(elapsed_s: float, worker: str, finished_at: str, status: str = "ok") -> str:
    rec = {"record_version": 2, "input": "a.npy", "input_sha256": "ab", "options": {"exercise": "squat"}, "key": "k",
           "status": status, "error": None, "error_type": None, "elapsed_s": elapsed_s, "worker": worker,
           "finished_at": finished_at}
    return json.dumps(rec, indent=2) + "\n"


def _folder(root: Path, *, elapsed_s: float = 1.5, worker: str = "host:1", finished_at: str = "2026-01-01T10:00:00",
            rep_count: int = 3, status: str = "ok", pid: str = "100") -> Path:
    """A folder as ``write`` leaves it, with the given run-dependent values."""
    (root / "sample").mkdir(parents=True)
    (root / "sample" / "report.json").write_text(json.dumps({"rep_count": rep_count}) + "\n")
    (root / "sample" / "report.html").write_text("<html>2 reps</html>\n")
    (root / "sample" / "analyze.stdout.txt").write_text("Back squat · 2 reps\n")
    out = root / "batch" / "out"
    (out / "reports" / "a.npy").mkdir(parents=True)
    (out / "reports" / "a.npy" / "report.json").write_text(json.dumps({"rep_count": rep_count}) + "\n")
    (out / "reports" / "a.npy" / ".done").write_text(_done(elapsed_s, worker, finished_at, status))
    (out / "summary.csv").write_text("input,status,error,elapsed_s\n"
                                     f"a.npy,{status},,{elapsed_s}\n")
    (out / ".batch.lock").write_text(pid + "\n")
    (root / "batch" / "batch.stdout.txt").write_text(f"1 ok, 0 failed in {elapsed_s} s\nsummary: {out}/summary.csv\n")
    (root / "eval").mkdir()
    (root / "eval" / "plank.json").write_text(json.dumps({"plank": {"summary": {"f1": 0.5}}}) + "\n")
    return root


def test_equal_folders(tool: ModuleType, tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    assert tool.compare(a, b) == []
    assert tool.main(["compare", str(a), str(b)]) == 0


def test_run_dependent_fields_are_normalised(tool: ModuleType, tmp_path: Path) -> None:
    """Timings, worker, finish time, the lock's pid and each folder's own path may differ."""
    a = _folder(tmp_path / "a")
    b = _folder(tmp_path / "b", elapsed_s=9.25, worker="other:77", finished_at="2027-05-05T23:59:59", pid="4242")
    assert tool.compare(a, b) == []


@pytest.mark.parametrize("change", ["rep_count", "status"])
def test_a_real_difference_fails(tool: ModuleType, tmp_path: Path, change: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    a = _folder(tmp_path / "a")
    b = _folder(tmp_path / "b", **({"rep_count": 4} if change == "rep_count" else {"status": "failed"}))
    diffs = tool.compare(a, b)
    assert diffs, "a changed report or record must be a difference"
    assert all(d.startswith("differs: ") for d in diffs)
    if change == "rep_count":
        assert {d.split(" ")[1] for d in diffs} == {"batch/out/reports/a.npy/report.json", "sample/report.json"}
    else:
        assert "differs: batch/out/reports/a.npy/.done" in " ".join(diffs)
        assert "differs: batch/out/summary.csv" in " ".join(diffs)
    assert tool.main(["compare", str(a), str(b)]) == 1
    assert "difference(s)" in capsys.readouterr().out


def test_a_changed_byte_in_html_or_eval_fails(tool: ModuleType, tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    (b / "sample" / "report.html").write_text("<html>2 reps </html>\n")
    (b / "eval" / "plank.json").write_text(json.dumps({"plank": {"summary": {"f1": 0.51}}}) + "\n")
    assert [d.split(" ")[1] for d in tool.compare(a, b)] == ["eval/plank.json", "sample/report.html"]


def test_a_missing_file_fails(tool: ModuleType, tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    (b / "eval" / "plank.json").unlink()
    (b / "sample" / "report.txt").write_text("extra\n")
    assert tool.compare(a, b) == [f"only in {a}: eval/plank.json", f"only in {b}: sample/report.txt"]


def test_other_fields_of_a_record_still_count(tool: ModuleType, tmp_path: Path) -> None:
    """Only elapsed_s, worker and finished_at of a .done record are normalised: its key is not."""
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    done = b / "batch" / "out" / "reports" / "a.npy" / ".done"
    done.write_text(done.read_text().replace('"key": "k"', '"key": "k2"'))
    assert tool.compare(a, b) == [tool.compare(a, b)[0]]
    assert tool.compare(a, b)[0].startswith("differs: batch/out/reports/a.npy/.done")


def test_parquet_compared_as_a_table(tool: ModuleType, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    for root, elapsed, reps in ((a, 1.0, 3), (b, 7.0, 3)):
        pq.write_table(pa.table({"input": ["a.npy"], "rep_count": [reps], "elapsed_s": [elapsed]}),
                       root / "batch" / "out" / "summary.parquet")
    assert tool.compare(a, b) == []
    pq.write_table(pa.table({"input": ["a.npy"], "rep_count": [4], "elapsed_s": [7.0]}),
                   b / "batch" / "out" / "summary.parquet")
    assert tool.compare(a, b) == [tool.compare(a, b)[0]]
    assert tool.compare(a, b)[0].startswith("differs: batch/out/summary.parquet")


def test_missing_data_names_the_missing_file(tool: ModuleType, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "here.csv").write_text("x\n")
    m = tmp_path / "m.json"
    m.write_text(json.dumps({"root": str(data), "items": [{"file": "here.csv"}]}))
    assert tool.missing_data(m, None) is None
    m.write_text(json.dumps({"root": str(data), "items": [{"file": "here.csv"}, {"file": "gone.csv"}]}))
    assert "gone.csv is missing" in tool.missing_data(m, None)
    m.write_text(json.dumps({"root": "${SHARED}/datasets", "items": []}))
    assert "shared" in tool.missing_data(m, None)
    m.write_text(json.dumps({"root": str(data), "items": [{"pattern": "*.npy"}]}))
    assert "no file matches" in tool.missing_data(m, None)


def _svg_html(date: str, salt: str, y: str = "10") -> str:
    svg = (f'<svg><metadata><dc:date>{date}</dc:date></metadata><defs><path id="m{salt}" d="M 0 0"/>'
           f'<clipPath id="p{salt[::-1]}"><rect/></clipPath></defs><use xlink:href="#m{salt}" y="{y}"/>'
           f'<path clip-path="url(#p{salt[::-1]})"/></svg>')
    return f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">\n'


def test_svg_plot_date_and_salted_ids_are_normalised(tool: ModuleType, tmp_path: Path) -> None:
    """matplotlib stamps each SVG with its creation date and salts its element ids per process."""
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    (a / "sample" / "report.html").write_text(_svg_html("2026-12-07T03:16:36", "95699bdb4a"))
    (b / "sample" / "report.html").write_text(_svg_html("2026-12-08T11:00:00", "abc296deec"))
    assert tool.compare(a, b) == []
    (b / "sample" / "report.html").write_text(_svg_html("2026-12-08T11:00:00", "abc296deec", y="11"))
    assert [d.split(" ")[1] for d in tool.compare(a, b)] == ["sample/report.html"]
