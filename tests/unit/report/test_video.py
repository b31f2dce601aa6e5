"""Annotated video: H.264 yuv420p MP4, same frames and time stamps as the input, audio dropped, atomic."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import av
import numpy as np
import pytest
from report_synth import make_report

from backsafe.errors import VideoReadError
from backsafe.report.video import describe_video, h264_encoder, write_annotated_video


def _timestamps(path):
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return np.array([float(f.pts * s.time_base) for f in c.decode(s)])


def _frame(path, index):
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == index:
                return f.to_ndarray(format="rgb24")
    raise IndexError(index)


def test_h264_encoder_available():
    assert h264_encoder() in ("libx264", "h264", "libopenh264")


def test_vfr_clip_keeps_frames_and_timestamps_and_drops_audio(synth_vfr_clip, tmp_path):
    report = make_report()
    calls = []
    out = write_annotated_video(report, synth_vfr_clip, tmp_path / "annotated.mp4", lambda d, t: calls.append((d, t)))
    src, dst = describe_video(synth_vfr_clip), describe_video(out)
    assert src["audio_streams"] == 1 and dst["audio_streams"] == 0
    assert dst["codec"] == "h264" and dst["pix_fmt"] == "yuv420p"
    assert dst["width"] % 2 == 0 and dst["height"] % 2 == 0
    assert abs(dst["frames"] - src["frames"]) <= 1
    frame_s = 1 / 30
    assert abs(dst["duration_s"] - src["duration_s"]) <= frame_s
    np.testing.assert_allclose(_timestamps(out), _timestamps(synth_vfr_clip), atol=1e-3)  # VFR preserved
    assert calls[-1][0] == src["frames"] and len(calls) == src["frames"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4"]


def test_overlays_are_drawn(synth_clip, tmp_path):
    report = make_report()
    out = write_annotated_video(report, synth_clip, tmp_path / "a.mp4")
    f = report.findings[0]  # back rounding, rep 2
    t = (f.frames[0] + f.frames[1]) // 2
    a, b = _frame(synth_clip, t).astype(int), _frame(out, t).astype(int)
    changed = np.abs(a - b).sum(axis=2) > 60
    assert changed.mean() > 0.02  # skeleton, HUD and the fault banner
    # the flagged fault: a red/orange banner in the bottom rows while it happens
    bottom = b[-40:, :200]
    assert ((bottom[..., 0] > 200) & (bottom[..., 2] < 120)).sum() > 30


def test_odd_sized_input_gets_even_dimensions(tmp_path):
    report = make_report(n_reps=1, rushing_rep=None, rounding_rep=None, width=321, height=241)
    src = tmp_path / "odd.mkv"
    with av.open(str(src), "w") as c:
        s = c.add_stream("ffv1", rate=30)
        s.width, s.height, s.pix_fmt = 321, 241, "yuv444p"
        for i in range(report.kinematics.n_frames):
            vf = av.VideoFrame.from_ndarray(np.full((241, 321, 3), i % 255, np.uint8), format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, 30)
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    out = write_annotated_video(report, src, tmp_path / "a.mp4")
    d = describe_video(out)
    assert d["width"] % 2 == 0 and d["height"] % 2 == 0 and abs(d["width"] - 321) == 1 and abs(d["height"] - 241) == 1
    assert d["frames"] == report.kinematics.n_frames


def test_without_pose_or_kinematics_still_writes(synth_clip, tmp_path):
    report = replace(make_report(), pose=None, kinematics=None)
    d = describe_video(write_annotated_video(report, synth_clip, tmp_path / "a.mp4"))
    assert d["frames"] == describe_video(synth_clip)["frames"]


def test_unreadable_input_leaves_nothing_behind(tmp_path):
    bad = tmp_path / "in.mp4"
    bad.write_bytes(b"\x00" * 100)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(VideoReadError):
        write_annotated_video(make_report(), bad, out_dir / "a.mp4")
    assert list(out_dir.iterdir()) == []


def test_error_while_encoding_removes_the_temp_file(synth_clip, tmp_path):
    def fail(done, total):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_annotated_video(make_report(), synth_clip, tmp_path / "a.mp4", fail)
    assert list(tmp_path.iterdir()) == []
