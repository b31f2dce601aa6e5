"""Batch crash-safety pieces: the output-folder lock, stale temporary files, orphan workers, longest first."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from backsafe.batch import BatchJob, OutputLock, longest_first, remove_stale_temp_files, report_dir, run_batch
from backsafe.errors import InputError


def test_a_second_batch_on_the_same_output_folder_is_refused(squat_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):
        with pytest.raises(InputError, match=rf"another backsafe batch \(pid {os.getpid()}\)"):
            run_batch(squat_dir, out, fps=30)
    res = run_batch(squat_dir, out, fps=30)  # released on exit
    assert res.n_ok == 4


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    """A SIGKILLed batch never leaves its output folder locked: flock is dropped by the kernel."""
    code = ("import sys, time; from pathlib import Path; from backsafe.batch import OutputLock\n"
            "with OutputLock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)")
    p = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout is not None and p.stdout.readline().strip() == "locked"
        with pytest.raises(InputError, match=f"pid {p.pid}"):
            OutputLock(tmp_path).__enter__()
    finally:
        p.kill()
        p.wait()
    with OutputLock(tmp_path):
        pass


def test_stale_temporary_files_are_removed_and_nothing_else(squat_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(squat_dir, out, fps=30)
    d = report_dir(out, "squat_00.npy")
    # the names the writers really give their temporary files (caught from mkstemp): hand-written names once hid
    # that ".done" is written through "..done.<random>.tmp", which the clean-up missed
    made: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def recording_mkstemp(*a: Any, **kw: Any) -> tuple[int, str]:
        fd, name = real_mkstemp(*a, **kw)
        made.append(name)
        return fd, name

    with mock.patch.object(tempfile, "mkstemp", recording_mkstemp):
        run_batch(squat_dir, tmp_path / "probe", fps=30)
    names = {Path(n).name for n in made}
    assert any(n.startswith("..done.") for n in names) and any(n.startswith(".report.json.") for n in names) \
        and any(n.startswith(".summary.") for n in names), names
    stale = sorted({(out if Path(n).parent.name == "probe" else d) / Path(n).name for n in made})
    keep = [d / "notes.tmp", out / "mine.txt"]
    for f in stale + keep:
        f.write_text("partial")
    assert sorted(remove_stale_temp_files(out)) == sorted(stale)
    assert all(f.exists() for f in keep) and (d / "report.json").exists() and (d / ".done").exists()
    for f in stale:
        f.write_text("partial")
    res = run_batch(squat_dir, out, fps=30)  # a run cleans up what a killed one left
    assert res.n_skipped == 5 and not any(f.exists() for f in stale)  # 4 ok + broken.npy (failed)


def test_longest_first_orders_by_size_and_keeps_ties_stable(tmp_path: Path) -> None:
    sizes = {"a.npy": 10, "b.npy": 30, "c.npy": 10, "d.npy": 20}
    jobs = []
    for name, n in sizes.items():
        (tmp_path / name).write_bytes(b"x" * n)
        jobs.append(BatchJob(name=name, path=tmp_path / name, options={}, sha256=""))
    folder = tmp_path / "openpose"
    folder.mkdir()
    for k in range(3):
        (folder / f"f{k}_keypoints.json").write_bytes(b"x" * 15)
    jobs.append(BatchJob(name="openpose", path=folder, options={}, sha256=""))
    assert [j.name for j in longest_first(jobs)] == ["openpose", "b.npy", "d.npy", "a.npy", "c.npy"]


def test_a_pool_worker_exits_when_its_driver_dies(tmp_path: Path) -> None:
    """The watchdog of a pool worker: an orphan (re-parented after its driver died) exits on its own."""
    code = ("import os, sys, time, subprocess\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import os, time; from backsafe.batch.workers import "
            "_init_worker; _init_worker(False, os.getppid()); print(os.getpid(), flush=True); time.sleep(60)'],"
            " stdout=sys.stdout)\n"
            "time.sleep(60)")
    driver = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert driver.stdout is not None
    worker = int(driver.stdout.readline())
    driver.kill()
    driver.wait()
    t0 = time.time()
    while time.time() - t0 < 10 and _alive(worker):
        time.sleep(0.05)
    alive = _alive(worker)
    if alive:
        os.kill(worker, 9)
    assert not alive, "the worker outlived its driver"


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
