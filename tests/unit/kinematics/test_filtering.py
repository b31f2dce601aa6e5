"""Cleaning: confidence gate, swap repair, outlier rejection, gap filling, zero-phase low-pass, track switches."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.kinematics.filtering import (
    clean_pose,
    fill_gaps,
    lowpass,
    reject_outliers,
    repair_swaps,
    split_tracks,
)
from backsafe.kinematics.geometry import true_runs
from backsafe.skeleton import CANONICAL_JOINTS
from backsafe.skeleton import JOINT_INDEX as J
from tests.unit.synth import rep_curve, squat_set


def test_lowpass_is_zero_phase() -> None:
    fps = 30.0
    t = np.arange(300) / fps
    x = np.sin(2 * np.pi * 0.5 * t) + 0.2 * np.random.default_rng(0).normal(size=t.size)
    y = lowpass(x, fps, cutoff_hz=6.0)
    clean = np.sin(2 * np.pi * 0.5 * t)
    lag = np.argmax(np.correlate(y - y.mean(), clean - clean.mean(), "full")) - (t.size - 1)
    assert lag == 0  # zero phase: no delay of the tempo phases
    assert np.std(y - clean) < 0.7 * 0.2  # 6 Hz of a 15 Hz band: about 40 % of white-noise power remains


def test_lowpass_keeps_nan_runs_apart() -> None:
    x = np.r_[np.ones(50), np.full(20, np.nan), np.ones(50) * 2]
    y = lowpass(x, 30.0)
    assert np.isnan(y[50:70]).all()
    assert np.allclose(y[:50], 1.0) and np.allclose(y[70:], 2.0)


def test_true_runs_are_start_stop_pairs_in_order() -> None:
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert true_runs(mask) == [(0, 2), (4, 5), (6, 9)]  # stop exclusive, the last run up to the end
    assert true_runs(np.zeros(4, dtype=bool)) == [] and true_runs(np.ones(3, dtype=bool)) == [(0, 3)]
    assert true_runs(np.zeros(0, dtype=bool)) == []


def test_fill_gaps_short_only() -> None:
    t = np.arange(100) / 30.0
    x = np.linspace(0, 1, 100)
    x[10:14] = np.nan  # 0.17 s: filled
    x[40:80] = np.nan  # 1.3 s: kept missing
    y = fill_gaps(x, t, max_gap_s=0.5)
    assert np.isfinite(y[10:14]).all()
    assert y[12] == pytest.approx(12 / 99, abs=1e-6)
    assert np.isnan(y[40:80]).all()


def test_outlier_spike_rejected() -> None:
    t = np.arange(90) / 30.0
    x = np.sin(t)[:, None] * 100
    x[45, 0] += 300
    bad = reject_outliers(x, t, window=9)
    assert bad[45, 0]
    assert bad.sum() == 1


def test_swap_repair_fixes_a_two_frame_swap() -> None:
    pose = squat_set(np.full(30, 30.0), view="front")
    xyz = pose.data[..., :3].astype(np.float64)
    truth = xyz.copy()
    for t in (10, 11):
        for n in ("hip", "knee", "ankle", "heel", "foot_index"):
            a, b = J[f"left_{n}"], J[f"right_{n}"]
            xyz[t, [a, b]] = xyz[t, [b, a]]
    fixed, n_swapped = repair_swaps(xyz, CANONICAL_JOINTS)
    assert n_swapped >= 2
    np.testing.assert_allclose(fixed[10], truth[10])


def test_confidence_gate_and_stats() -> None:
    pose = squat_set(rep_curve(2))
    data = pose.data.copy()
    data[:, J["left_wrist"], 3] = 0.2  # never trusted
    cleaned, stats = clean_pose(pose.replace(data=data))
    assert np.isnan(cleaned.data[:, J["left_wrist"], 0]).all()
    assert stats["cutoff_hz"] == 6.0
    assert 0 < stats["gated_share"] < 0.2


def test_identity_switch_found() -> None:
    pose = squat_set(np.full(60, 10.0))
    data = pose.data.copy()
    data[30:, :, 0] += 800  # another person, far to the right
    labels = split_tracks(data, CANONICAL_JOINTS)
    assert labels[29] == 0 and labels[30] == 1
