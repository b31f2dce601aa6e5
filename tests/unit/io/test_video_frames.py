"""Frame decoding (io/video.py): the RGB frames handed to the pose model, their time stamps, stride."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from backsafe.io.video import iter_frames, iter_frames_threaded


def _pyav_rgb(path: Path, n: int) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for _, f in zip(range(n), c.decode(video=0))]


def test_frames_are_contiguous_rgb_identical_to_pyav(sample_clip: Path) -> None:
    # one reused swscale converter must give exactly the pixels of PyAV's own per-frame conversion
    ours = [f.rgb for f in iter_frames(sample_clip, max_frames=12)]
    ref = _pyav_rgb(sample_clip, 12)
    assert len(ours) == 12
    for a, b in zip(ours, ref):
        assert a.dtype == np.uint8 and a.shape == (1080, 608, 3)
        assert a.flags.c_contiguous  # MediaPipe takes it as is, no extra copy
        assert np.array_equal(a, b)


def test_odd_width_frames_stay_contiguous(tmp_path: Path) -> None:
    # 522 px x 3 bytes is not a multiple of FFmpeg's line alignment: rows are padded in the decoder's buffer
    p = tmp_path / "odd.mp4"
    with av.open(str(p), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 522, 294, "yuv420p"
        rng = np.random.default_rng(0)
        for _ in range(5):
            img = rng.integers(0, 255, (294, 522, 3), dtype=np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    frames = list(iter_frames(p))
    assert len(frames) == 5
    ref = _pyav_rgb(p, 5)
    for f, r in zip(frames, ref):
        assert f.rgb.shape == (294, 522, 3) and f.rgb.flags.c_contiguous
        assert np.array_equal(f.rgb, r)


def test_stride_keeps_every_nth_frame_with_its_own_time(sample_clip: Path) -> None:
    all_frames = list(iter_frames(sample_clip, max_frames=20))
    every2 = list(iter_frames_threaded(sample_clip, stride=2, max_frames=20))
    assert [f.index for f in every2] == list(range(0, 20, 2))
    assert [f.t_s for f in every2] == [f.t_s for f in all_frames[::2]]
    assert np.allclose(np.diff([f.t_s for f in every2]), 2 / 29.97, atol=1e-3)


def test_start_s_resumes_mid_clip_with_the_same_frames_and_times(sample_clip: Path) -> None:
    # the second half of a split clip: decoded from the key frame before 10 s, handed out from 10 s on
    tail = list(iter_frames(sample_clip, start_s=10.0))
    full = list(iter_frames(sample_clip))
    k = next(i for i, f in enumerate(full) if f.t_s >= 10.0)
    assert len(tail) == len(full) - k
    assert tail[0].index == 0 and tail[0].t_s == full[k].t_s
    for a, b in zip(tail[:40], full[k:k + 40]):
        assert a.t_s == b.t_s and np.array_equal(a.rgb, b.rgb)
    every2 = list(iter_frames_threaded(sample_clip, stride=2, start_s=10.0))
    assert [f.t_s for f in every2] == [f.t_s for f in tail[::2]]
