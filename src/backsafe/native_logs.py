"""Keep the pose model's C++ log lines off the terminal (shown with ``backsafe -v``).

MediaPipe and TensorFlow Lite write their own log lines straight to file descriptor 2 from native threads
("INFO: Created TensorFlow Lite XNNPACK delegate", absl's "W0000 ... inference_feedback_manager.cc:114] ..."): no
Python logging setting or environment variable reaches them, and they break the progress bar. While the command
runs, descriptor 2 is a pipe read by a thread that drops those lines and passes every other byte through to the
real stderr at once; Python's own stderr (the progress bar, error messages) bypasses the pipe.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_native_logs", "NATIVE_LINE"]

#: absl/glog lines ("W0000 00:00:1796607378.300191   10543 file.cc:114] ...") and TF Lite's INFO/WARNING banners
NATIVE_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ [\w.\-/]+:\d+\] "
    rb"|INFO: Created TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called)"
)


def _pump(read_fd: int, out_fd: int) -> None:
    buf = b""
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        # pass through everything up to the last newline, line by line, dropping native log lines; a partial line
        # that cannot be a native log line (e.g. a progress bar redrawn with "\r") is passed through at once
        *lines, buf = buf.split(b"\n")
        keep = b"".join(line + b"\n" for line in lines if not NATIVE_LINE.match(line))
        if buf and not NATIVE_LINE.match(buf[:60]) and not _could_be_native(buf):
            keep += buf
            buf = b""
        if keep:
            try:
                os.write(out_fd, keep)
            except OSError:
                break
    if buf and not NATIVE_LINE.match(buf):
        try:
            os.write(out_fd, buf)
        except OSError:
            pass


#: the start of an absl/glog line that has not reached its "file.cc:123] " yet (a line written in two pieces)
_GLOG_START = re.compile(rb"^[IWEF]\d{0,4}(?: [\d:.]*(?:\s+\d*(?: [\w.\-/]*(?::\d*\]?)?)?)?)?$")


def _could_be_native(partial: bytes) -> bool:
    """A line start too short to tell yet whether it is a native log line."""
    if len(partial) < 200 and _GLOG_START.match(partial):
        return True
    probes = (b"INFO: Created TensorFlow Lite", b"WARNING: All log messages")
    return len(partial) < 40 and any(p.startswith(partial[: len(p)]) for p in probes if partial[:1] == p[:1])


@contextmanager
def quiet_native_logs(enabled: bool = True) -> Iterator[None]:
    """Filter native log lines out of descriptor 2 for the duration (no-op when not ``enabled``)."""
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        read_fd, write_fd = os.pipe()
    except OSError:
        yield
        return
    # Python's stderr writes straight to the real stderr (line-buffered), not through the filter
    old_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=getattr(old_stderr, "encoding", None) or "utf-8",
                           errors="backslashreplace")
    os.dup2(write_fd, 2)
    os.close(write_fd)
    pump = threading.Thread(target=_pump, args=(read_fd, saved), name="backsafe-native-logs", daemon=True)
    pump.start()
    try:
        yield
    finally:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(saved, 2)  # closes the pipe's write end held as descriptor 2: the pump sees end of file
        pump.join(timeout=1.0)  # a child that still holds the pipe keeps it open: do not wait for it
        tmp, sys.stderr = sys.stderr, old_stderr
        try:
            tmp.close()
        except OSError:
            pass
        os.close(saved)
