"""The public API: a typed `backsafe.analyze` that IDEs and mypy can read (py.typed), and errors from the project's
own tree for bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import backsafe
from backsafe.errors import ValueRangeError


@pytest.mark.parametrize(("kw", "match"), [({"load_kg": "40kg"}, "load_kg '40kg': expected a number of kg"),
                                           ({"load_kg": True}, "load_kg True"),
                                           ({"fps": "30"}, "fps '30'"),
                                           ({"lod_kg": 40}, r"unknown option\(s\) \['lod_kg'\]"),
                                           ({"tempo": 3120}, "tempo 3120")])
def test_bad_values_raise_from_the_error_tree(kw: dict[str, object], match: str, tmp_path: Path) -> None:
    with pytest.raises(ValueRangeError, match=match):
        backsafe.analyze(tmp_path / "x.mp4", "squat", **kw)  # type: ignore[arg-type]


def test_mypy_sees_the_signature(tmp_path: Path) -> None:
    assert (Path(backsafe.__file__).parent / "py.typed").is_file()
    script = tmp_path / "user.py"
    script.write_text('import backsafe\n\nr = backsafe.analyze("x.mp4", exercise="squat", load_kg="40kg")\n'
                      'n: str = r.rep_count\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert 'Argument "load_kg" to "analyze" has incompatible type "str"; expected "float | None"' in r.stdout, \
        r.stdout
    assert 'expression has type "int", variable has type "str"' in r.stdout
