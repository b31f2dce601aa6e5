"""The flat public API: everything in ``backsafe.__all__`` exists, and nothing private leaks into it."""

from __future__ import annotations

import backsafe


def test_all_members_exist() -> None:
    for name in backsafe.__all__:
        assert hasattr(backsafe, name), name


def test_public_api_has_analyze_and_errors() -> None:
    assert callable(backsafe.analyze)
    assert issubclass(backsafe.VideoReadError, backsafe.InputError)
    assert issubclass(backsafe.InputError, backsafe.BacksafeError)
    assert not issubclass(backsafe.NoPersonError, backsafe.InputError)  # exit 4, not 3


def test_import_does_not_load_mediapipe() -> None:
    import subprocess
    import sys

    code = "import sys, backsafe; print('mediapipe' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
