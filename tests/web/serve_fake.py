"""A real uvicorn server of the web app with the slow fake analysis (settings from BACKSAFE_* env):
``python tests/web/serve_fake.py PORT``. Used by the restart test, which SIGKILLs it mid-job."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvicorn  # noqa: E402

import fakes  # noqa: E402
from backsafe.web.config import Settings  # noqa: E402
from backsafe.web.main import create_app  # noqa: E402

if __name__ == "__main__":
    app = create_app(Settings(), analyze_fn=fakes.slow_analyze)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
