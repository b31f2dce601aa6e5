"""Hypothesis profiles: ``default`` (CI: bounded examples, no deadline) and ``explore`` (many examples, no
shrinking; HYPOTHESIS_PROFILE=explore) to hunt for new failures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import Phase, settings

sys.path.insert(0, str(Path(__file__).parent))  # strategies.py, whatever the import mode

settings.register_profile("explore", max_examples=1000, phases=[Phase.explicit, Phase.generate], deadline=None,
                          print_blob=True)
settings.register_profile("default", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
