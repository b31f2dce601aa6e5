"""The causal One-Euro filter and the live analyser, without MediaPipe."""

from __future__ import annotations

import numpy as np

from backsafe.live import LiveAnalyzer, LiveOptions, OneEuroFilter


def test_one_euro_smooths_noise_at_rest_and_follows_a_step() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=1.0, scale=100.0)
    t = np.arange(300) / 30.0
    x = np.where(t < 5.0, 50.0, 80.0) + rng.normal(0.0, 1.0, t.size)
    y = np.array([f(np.array([v]), ti)[0] for v, ti in zip(x, t)])
    assert np.std(y[30:140]) < 0.5 * np.std(x[30:140])  # quieter at rest
    assert abs(y[-1] - 80.0) < 1.0  # and it caught up with the step (no offset left)


def test_one_euro_is_causal_and_restarts_after_nan() -> None:
    f = OneEuroFilter()
    a = f(np.array([1.0, 2.0]), 0.0)
    b = f(np.array([np.nan, 2.0]), 0.033)
    c = f(np.array([5.0, 2.0]), 0.066)
    assert a.tolist() == [1.0, 2.0] and np.isnan(b[0]) and c[0] == 5.0


def test_live_analyzer_without_person_emits_nothing() -> None:
    la = LiveAnalyzer(LiveOptions(exercise="squat"), (640, 480))
    events = [e for i in range(60) for e in la.push(i / 30.0, 0.0, None)]
    assert events == [] and la.finish() == [] and la.rep_count == 0
