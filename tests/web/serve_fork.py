"""A fork server of real uvicorn servers of the web app with the slow fake analysis (settings from BACKSAFE_* env),
for the crash loop (tests/web/test_crash_loop.py).

``python tests/web/serve_fork.py`` imports the app once, prints ``ready``, then for each port number read on stdin
forks a child that builds the app (database migrations, job recovery and sweep: the whole start-up) and serves it on
that port, and prints the child's pid. The children are ordinary processes that the test SIGKILLs; only the Python
imports (3-5 s of a fresh interpreter on a loaded 2-core machine) are shared, so each restart takes a fraction of a
second and 20 kills fit in about a minute. Children are reaped automatically (SIGCHLD ignored). Closing stdin ends
the fork server.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvicorn  # noqa: E402

import fakes  # noqa: E402
from backsafe.coach import logbook  # noqa: E402,F401  (imported on the first log entry otherwise)
from backsafe.report import html, json_report, video  # noqa: E402,F401  (imported by the first job otherwise)
from backsafe.web.config import Settings  # noqa: E402
from backsafe.web.main import create_app  # noqa: E402


def serve(port: int) -> None:
    os.dup2(2, 1)  # stdout is the pid channel of the parent
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    app = create_app(Settings(), analyze_fn=fakes.slow_analyze)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("ready", flush=True)
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                serve(int(line))
            finally:
                os._exit(0)
        print(pid, flush=True)
