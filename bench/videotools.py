"""Bench helpers: make test clips from the sample with PyAV (no ffmpeg binary needed).

- :func:`concat_clip`: the clip repeated n times by remuxing its packets with shifted time stamps (no re-encode,
  so every copy decodes exactly like the original);
- :func:`cut_clip`: a short re-encoded (H.264) excerpt, for batches of many small clips.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av


def concat_clip(src: Path, dst: Path, times: int) -> Path:
    """Write ``src``'s video stream ``times`` times back to back into ``dst`` (stream copy, audio dropped)."""
    with av.open(str(src)) as probe:
        s = probe.streams.video[0]
        packets = [(p.pts, p.dts, p.is_keyframe, bytes(p)) for p in probe.demux(s) if p.size]
        tb = s.time_base
        span = max(p[0] for p in packets if p[0] is not None) + int(round(1 / (float(s.average_rate) * tb)))
        with av.open(str(dst), "w") as out:
            o = out.add_stream_from_template(s)
            for k in range(times):
                for pts, dts, key, data in packets:
                    pkt = av.Packet(data)
                    pkt.pts = None if pts is None else pts + k * span
                    pkt.dts = None if dts is None else dts + k * span
                    pkt.time_base = tb
                    pkt.is_keyframe = key
                    pkt.stream = o
                    out.mux(pkt)
    return dst


def cut_clip(src: Path, dst: Path, start_s: float, duration_s: float) -> Path:
    """Re-encode ``[start_s, start_s + duration_s)`` of ``src`` to H.264 in ``dst`` (same size and rate)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s = inp.streams.video[0]
        rate = s.average_rate or Fraction(30)
        o = out.add_stream("libx264", rate=rate)
        o.width, o.height, o.pix_fmt = s.codec_context.width, s.codec_context.height, "yuv420p"
        o.options = {"crf": "20", "preset": "veryfast"}
        n = 0
        for fr in inp.decode(s):
            t = float(fr.pts * s.time_base)
            if t < start_s:
                continue
            if t >= start_s + duration_s:
                break
            new = av.VideoFrame.from_ndarray(fr.to_ndarray(format="yuv420p"), format="yuv420p")
            new.pts = n
            new.time_base = Fraction(1) / rate
            n += 1
            for pkt in o.encode(new):
                out.mux(pkt)
        for pkt in o.encode(None):
            out.mux(pkt)
    return dst
