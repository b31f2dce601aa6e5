"""The pose model's native log lines are kept off the terminal; everything else on stderr passes through."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from backsafe.native_logs import _pump

NATIVE = (b"W0000 00:00:1796607378.300191   10543 inference_feedback_manager.cc:114] Feedback manager requires a "
          b"model with a single signature inference. Disabling support for feedback tensors.\n")


def _through(chunks: list[bytes]) -> bytes:
    r, w = os.pipe()
    out_r, out_w = os.pipe()
    t = threading.Thread(target=_pump, args=(r, out_w))
    t.start()
    for c in chunks:
        os.write(w, c)
    os.close(w)
    t.join(5)
    os.close(out_w)
    data = b""
    while chunk := os.read(out_r, 65536):
        data += chunk
    os.close(r)
    os.close(out_r)
    return data


def test_native_lines_dropped_others_kept() -> None:
    got = _through([b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n", NATIVE[:30], NATIVE[30:],
                    b"error: a.mp4: no such file\n", b"\r 40 % pose", b"\r 80 % pose"])
    assert got == b"error: a.mp4: no such file\n\r 40 % pose\r 80 % pose"


@pytest.mark.slow
def test_analyze_prints_no_native_log_lines(sample_clip: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("backsafe")
    args = ["analyze", str(sample_clip), "--exercise", "back_squat", "--out", str(tmp_path / "o")]
    quiet = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600)
    assert quiet.returncode == 0, quiet.stderr
    assert "inference_feedback_manager" not in quiet.stderr and "XNNPACK" not in quiet.stderr
    loud = subprocess.run([str(exe), "-v", *args], capture_output=True, text=True, timeout=600)
    assert loud.returncode == 0 and "XNNPACK" in loud.stderr  # shown with -v


def test_a_native_line_cut_anywhere_is_held_back_until_it_can_be_told() -> None:
    # the pipe may hand the filter a native line in two pieces at any byte (a loaded machine did, after 30 bytes):
    # every piece short of the "file.cc:123] " must be held, not passed through as an ordinary partial line
    from backsafe.native_logs import NATIVE_LINE, _could_be_native

    for k in range(1, len(NATIVE)):
        head = NATIVE[:k]
        assert _could_be_native(head) or NATIVE_LINE.match(head), head
    for ordinary in (b"\r 40 % pose", b"error: a.mp4", b"Written:", b"Everything fine"):
        assert not _could_be_native(ordinary)
