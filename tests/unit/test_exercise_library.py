"""The exercise library (data/exercises.json) is consistent with the code that reads it: adding an exercise is one
entry there (docs/architecture.md "Adding an exercise"), and this test says what the entry must agree with."""

from __future__ import annotations

from backsafe.exercises import load_library
from backsafe.faults.base import SYMMETRIC_PATTERNS
from backsafe.faults.rules import ALL_RULES
from backsafe.kinematics.angles import PRIMARY_SERIES


def test_every_entry_agrees_with_the_rules_signals_and_ladder() -> None:
    lib = load_library()
    codes = {r.code for r in ALL_RULES}
    assert len(lib) >= 20
    for ex in lib.values():
        assert set(ex.faults) <= codes, (ex.id, set(ex.faults) - codes)
        assert ex.primary_signal is None or ex.primary_signal in PRIMARY_SERIES, (ex.id, ex.primary_signal)
        assert set(ex.regressions) | set(ex.progressions) <= set(lib), ex.id
        assert ex.while_recovering is None or ex.while_recovering in lib, ex.id
        assert set(ex.views) <= {"side", "front", "oblique"}, ex.id
        assert ex.kind != "reps" or ex.primary_signal is not None, ex.id
        assert 0 <= ex.ladder_rung <= 5 and ex.met > 0, ex.id
    # a pattern the §5 symmetric-stance rules know, or one of the asymmetric ones they leave alone on purpose
    patterns = {ex.pattern for ex in lib.values()}
    assert set(SYMMETRIC_PATTERNS) & patterns and patterns - set(SYMMETRIC_PATTERNS)
