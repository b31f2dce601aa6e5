"""``make bench``: speed, memory, batch scaling and live latency of backsafe on the bundled clip, in one run.

Prints every figure and writes them by name (DESIGN.md "Benchmarks") to bench/results.json:

- peak memory is VmHWM of a fresh process per clip;
- throughput (frames/s) on the sample clip, measured in interleaved rounds (the order rotates each round, the
  median is kept) so that load from other programs hits every contender alike:
  ``naive_fps`` (OpenCV read loop + cvtColor + MediaPipe Pose complexity 1 per frame, the [1/7] baseline),
  ``e2e_fps`` (``backsafe.analyze`` end to end), ``model_fps`` (pose inference alone on pre-decoded frames),
  ``fast_fps`` (``analyze`` with ``stride=2``, the ``--fast`` mode) -> ``e2e_vs_naive``, ``e2e_vs_model``,
  ``post_pose_share``, ``fast_vs_default``;
- ``mem_10x_vs_1x``: peak RSS (ru_maxrss) of analysing the clip vs the clip concatenated 10x, each in a fresh
  process;
- ``workers2_vs_1``: ``backsafe batch`` over 20 short clips, 2 workers vs 1;
- ``live_latency_p50_s`` / ``live_latency_max_s``: ``backsafe live`` on the clip played at real time;
- ``live_web_latency_p50_s`` / ``live_web_latency_max_s``: the live web page in Debian's headless Chromium with a
  fake camera fed from the clip (tests/browser/live_driver.py): pose in the page (@mediapipe/tasks-vision
  PoseLandmarker, CPU delegate), landmarks over the WebSocket to the server's LiveAnalyzer; wall seconds from each
  rep's end frame reaching the page to its rep event on the page. The fake camera plays the clip at its own speed
  (``--live-web-slow`` N > 1 plays it N times slower and the page divides its clock by as much, for a machine whose
  page cannot keep up: ``live_web_slow``); ``live_web_pose_fps_wall`` is the page's analysed frames per second,
  ``live_web_rep_count`` vs the offline count. Skipped (None, with ``live_web_note``) in ``--smoke`` mode or
  without Chromium, Playwright or the installed web assets (``--live-web-only`` runs just this part, ~1 minute,
  and merges it into --out);
- ``html_overhead``: ``render_html`` time / analysis time;
- ``fast_accuracy``: rep-count accuracy and fault F1 on the labelled clips of eval/manifests, default vs
  ``--fast`` (poses cached in BACKSAFE_POSE_CACHE, so only the first run pays for pose estimation).
- per pose model size (``--model lite|full|heavy``): ``model_fps_lite`` / ``_full`` / ``_heavy`` (inference alone,
  one thread, on the same MODEL_SIZE_FRAMES pre-decoded frames, interleaved with the rest) and ``model_cost_vs_full``;
- ``e2e_vs_core_limit``: ``e2e_fps`` of the default model ÷ (cores × ``model_fps``), both from the same run: how
  close ``analyze`` comes to every core running the model and nothing else (issue [6/6] target >= 0.9), with
  ``pose_stage_vs_core_limit`` (the same for the pose stage alone: e2e minus the analysis after pose) to say where
  the rest goes, and ``every_core_vs_core_limit``: one process per core, each pinned to it and running only the
  model on pre-decoded frames, all at once (``model_fps_every_core``, summed), ÷ the same limit: the share of
  that limit the machine itself allows when every core is busy (caches, memory bandwidth, clock), with
  ``e2e_vs_every_core`` = ``e2e_fps`` ÷ ``model_fps_every_core`` (``--throughput-only`` runs just this part and
  merges it into --out);
- ``outline_overhead``: the default analysis (back outline on) ÷ the same with ``back_shape=False``, end to end
  with pose, on the sample clip (an upright squat: nothing to trace) and, when ../shared is there, on a side-view
  deadlift (``outline_overhead_hinge``), with the outline's own seconds per clip and per traced frame
  (``--outline-only`` runs just this step and updates results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "samples" / "rohanx01_squat_side.mp4"
EXERCISE = "back_squat"
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------- throughput


def naive_fps(clip: Path) -> float:
    """The [1/7] baseline: cv2.VideoCapture read loop + cvtColor + MediaPipe Pose (complexity 1) per frame."""
    import cv2
    import mediapipe as mp

    t0 = time.perf_counter()
    cap = cv2.VideoCapture(str(clip))
    pose = mp.solutions.pose.Pose(model_complexity=1)
    n = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        n += 1
    dt = time.perf_counter() - t0
    pose.close()
    cap.release()
    return n / dt


#: frames of the clip each model size is timed on (heavy runs at ~17 fps: the whole clip would cost 35 s a round)
MODEL_SIZE_FRAMES = 240


def cores() -> int:
    """The cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def model_fps(frames: list[Any], model: str = "full") -> float:
    """Pose inference alone on frames decoded beforehand, with backsafe's own estimator (the one ``analyze``
    makes: same model, settings and threads), so e2e_vs_model compares like with like."""
    from backsafe.pipeline import default_estimator

    pose = default_estimator(model)
    t0 = time.perf_counter()
    for f in frames:
        pose.process(f)
    dt = time.perf_counter() - t0
    pose.close()
    return len(frames) / dt


_MODEL_ON_ONE_CORE = """
import os, sys, time
import cv2
from backsafe.pipeline import default_estimator
clip, cpu, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.sched_setaffinity(0, {cpu})
cap = cv2.VideoCapture(clip)
frames = []
while len(frames) < n:
    ok, bgr = cap.read()
    if not ok:
        break
    frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
pose = default_estimator("full")
for f in frames[:10]:
    pose.process(f)
print("ready", flush=True)
sys.stdin.readline()
t0 = time.perf_counter()
for f in frames:
    pose.process(f)
print(len(frames) / (time.perf_counter() - t0), flush=True)
"""


def model_fps_every_core(clip: Path, n_frames: int) -> float:
    """The machine's own ceiling for e2e_vs_core_limit: one process per core, each pinned to its core and running
    the model alone on frames it decoded beforehand, all started together; their summed frames per second. Nothing
    is shared between them but the hardware (caches, memory bandwidth, the clock a busy chip can hold), so what
    this loses against cores x model_fps is lost to the machine, not to backsafe's threads."""
    procs = [subprocess.Popen([sys.executable, "-c", _MODEL_ON_ONE_CORE, str(clip), str(cpu), str(n_frames)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for cpu in sorted(os.sched_getaffinity(0))]
    try:
        for p in procs:  # every process warmed up before any starts timing
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("a model process did not start")
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        out = [float(p.communicate(timeout=600)[0].strip()) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return sum(out)


def decode_fps(clip: Path) -> float:
    """backsafe's own decoder alone (io/video.iter_frames: upright RGB frames), one thread, no pose: the CPU every
    frame costs besides the model, which e2e_vs_core_limit's limit leaves out."""
    from backsafe.io.video import iter_frames

    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(clip))
    return n / (time.perf_counter() - t0)


def e2e_run(clip: Path, **options: Any) -> dict[str, Any]:
    """``backsafe.analyze`` end to end, with the time spent after pose (analyze_pose) measured inside it."""
    import backsafe.pipeline as pipeline

    post = [0.0]
    real = pipeline.analyze_pose

    def timed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            post[0] += time.perf_counter() - t

    pipeline.analyze_pose = timed  # type: ignore[assignment]
    # the keypoint cache (BACKSAFE_POSE_CACHE, used by the accuracy part) must never serve the timed runs
    cache_env = os.environ.pop("BACKSAFE_POSE_CACHE", None)
    try:
        t0 = time.perf_counter()
        report = pipeline.analyze(clip, EXERCISE, **options)
        dt = time.perf_counter() - t0
    finally:
        pipeline.analyze_pose = real  # type: ignore[assignment]
        if cache_env is not None:
            os.environ["BACKSAFE_POSE_CACHE"] = cache_env
    n = int(report.input["frames"]) * int(options.get("stride", 1))  # frames of the clip covered
    return {"fps": n / dt, "seconds": dt, "post_s": post[0], "report": report}


def throughput(rounds: int) -> tuple[dict[str, Any], Any]:
    import cv2

    cap = cv2.VideoCapture(str(CLIP))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    load0 = os.getloadavg()[0]
    e2e_run(CLIP)  # warm-up: imports, first model load, page cache
    from backsafe.pose.mediapipe_backend import installed_models

    sizes = [f"model_{m}" for m in installed_models()]  # each size on the same first MODEL_SIZE_FRAMES frames
    runs: dict[str, list[Any]] = {"naive": [], "e2e": [], "model": [], "fast": [], "decode": [],
                                  **{k: [] for k in sizes}}
    runs["model_every_core"] = []
    order = ["naive", "e2e", "model", "fast", "decode", "model_every_core", *sizes]
    for r in range(rounds):
        for name in order[r % len(order):] + order[: r % len(order)]:
            if name == "naive":
                runs[name].append(naive_fps(CLIP))
            elif name == "model":
                runs[name].append(model_fps(frames))
            elif name == "decode":
                runs[name].append(decode_fps(CLIP))
            elif name == "model_every_core":
                runs[name].append(model_fps_every_core(CLIP, len(frames)))
            elif name.startswith("model_"):
                runs[name].append(model_fps(frames[:MODEL_SIZE_FRAMES], name.removeprefix("model_")))
            else:
                runs[name].append(e2e_run(CLIP, stride=2 if name == "fast" else 1))
            v = runs[name][-1]
            log(f"  round {r + 1} {name:6s} {v['fps'] if isinstance(v, dict) else v:6.1f} fps")
    e2e = runs["e2e"]
    res = {
        "naive_fps": statistics.median(runs["naive"]),
        "e2e_fps": statistics.median(x["fps"] for x in e2e),
        "model_fps": statistics.median(runs["model"]),
        "fast_fps": statistics.median(x["fps"] for x in runs["fast"]),
        "post_pose_share": statistics.median(x["post_s"] / x["seconds"] for x in e2e),
        "rounds": rounds,
        "raw": {k: [round(x["fps"] if isinstance(x, dict) else x, 2) for x in v] for k, v in runs.items()},
        "clip_frames": len(frames),
        "rep_count_default": e2e[-1]["report"].rep_count,
        "rep_count_fast": runs["fast"][-1]["report"].rep_count,
        "analysis_s": statistics.median(x["seconds"] for x in e2e),
    }
    res["e2e_vs_naive"] = res["e2e_fps"] / res["naive_fps"]
    res["e2e_vs_model"] = res["e2e_fps"] / res["model_fps"]
    res["fast_vs_default"] = res["fast_fps"] / res["e2e_fps"]
    n_cores = cores()
    res["cores"] = n_cores
    # other programs' load (1-minute average) before and after: above the core count, the two-thread e2e run
    # cannot have every core, and e2e_vs_core_limit says more about the machine's load than about backsafe
    res["throughput_load_before_after"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    res["e2e_vs_core_limit"] = res["e2e_fps"] / (n_cores * res["model_fps"])
    # the pose stage alone (the analysis after pose taken out of each run's time)
    res["pose_stage_fps"] = statistics.median(x["fps"] * x["seconds"] / (x["seconds"] - x["post_s"]) for x in e2e)
    res["pose_stage_vs_core_limit"] = res["pose_stage_fps"] / (n_cores * res["model_fps"])
    # the same limit with each frame's decoding counted too (every core decoding and running the model, nothing
    # else): what is left between this and e2e is threads, start-up and the halves' imbalance
    # the machine's ceiling: every core running the model in its own process, nothing shared but the hardware
    res["model_fps_every_core"] = statistics.median(runs["model_every_core"])
    res["every_core_vs_core_limit"] = res["model_fps_every_core"] / (n_cores * res["model_fps"])
    res["e2e_vs_every_core"] = res["e2e_fps"] / res["model_fps_every_core"]
    res["decode_fps"] = statistics.median(runs["decode"])
    res["decode_inclusive_limit_fps"] = n_cores / (1 / res["model_fps"] + 1 / res["decode_fps"])
    res["e2e_vs_decode_inclusive_limit"] = res["e2e_fps"] / res["decode_inclusive_limit_fps"]
    for k in sizes:
        res[f"{k.replace('model_', 'model_fps_', 1)}"] = statistics.median(runs[k])
    if "model_full" in runs:
        res["model_cost_vs_full"] = {k.removeprefix("model_"): res["model_fps_full"] / statistics.median(runs[k])
                                     for k in sizes}
    res["model_size_frames"] = min(MODEL_SIZE_FRAMES, len(frames))
    return res, e2e[-1]["report"]


# -------------------------------------------------------------------------------------------------- memory

_MEM_CODE = """
import sys
from backsafe.pipeline import analyze
r = analyze(sys.argv[1], sys.argv[2])
# VmHWM (kB), not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child of the bench (which holds the
# decoded frames of the throughput test) would inherit the parent's peak
hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]
print(hwm, r.input['frames'], r.rep_count)
"""


def start_memory(clip: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "BACKSAFE_POSE_CACHE"}  # measure the real pose pass
    return subprocess.Popen([sys.executable, "-c", _MEM_CODE, str(clip), EXERCISE], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)


def finish_memory(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"memory run failed ({proc.returncode})")
    rss_kb, frames, reps = out.split()[-3:]
    return {"peak_rss_mb": int(rss_kb) / 1024, "frames": int(frames), "rep_count": int(reps)}


# ---------------------------------------------------------------------------------------------------- batch


def _batch_run(d: Path, out: Path, workers: int, n_clips: int) -> dict[str, float]:
    """One ``backsafe batch`` run: wall time, CPU seconds of the driver and its workers, load before/after."""
    import resource

    load0 = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([str(Path(sys.executable).parent / "backsafe"), "batch", str(d), "--out", str(out),
                        "-e", EXERCISE, "--workers", str(workers)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0 or f"{n_clips} ok" not in r.stdout:
        raise RuntimeError(f"batch with {workers} worker(s) failed: {r.stdout[-500:]} {r.stderr[-500:]}")
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load0, "load_after": os.getloadavg()[0]}


def batch_scaling(tmp: Path, n_clips: int = 20, rounds: int = 1) -> dict[str, Any]:
    """``backsafe batch`` over ``n_clips`` 2-s clips with 1 and with 2 workers; ``workers2_vs_1`` = time ratio.

    With ``rounds`` > 1 the two are run in alternating order (1, 2, then 2, 1, ...) and the median time of each
    is kept, so that load from other programs falls on both alike. Each run also records its CPU seconds
    (driver + workers: the work done, which the worker count should not change) and the 1-minute load average
    before and after it: on a 2-core machine a load above 2 means the batch did not have both cores.
    """
    from videotools import cut_clip

    d = tmp / "batch_in"
    d.mkdir()
    first = cut_clip(CLIP, d / "clip_00.mp4", 8.0, 2.0)
    for k in range(1, n_clips):
        shutil.copy(first, d / f"clip_{k:02d}.mp4")
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for r in range(rounds):
        for w in ((1, 2) if r % 2 == 0 else (2, 1)):
            out = tmp / f"batch_out_{w}"
            shutil.rmtree(out, ignore_errors=True)
            runs[w].append(_batch_run(d, out, w, n_clips))
            x = runs[w][-1]
            log(f"  batch of {n_clips} clips, {w} worker(s): {x['wall_s']:.1f} s, CPU {x['cpu_s']:.1f} s, "
                f"load {x['load_before']:.2f} -> {x['load_after']:.2f}")
    t1 = statistics.median(x["wall_s"] for x in runs[1])
    t2 = statistics.median(x["wall_s"] for x in runs[2])
    return {"batch_clips": n_clips, "batch_1_worker_s": t1, "batch_2_workers_s": t2, "workers2_vs_1": t1 / t2,
            "batch_rounds": rounds,
            "batch_runs": {str(w): [{k: round(v, 2) for k, v in x.items()} for x in v] for w, v in runs.items()}}


# ----------------------------------------------------------------------------------------------------- live
def live_web_latency(tmp: Path, slow: float, smoke: bool) -> dict[str, Any]:
    """The live web page with a fake camera (see the module docstring); None figures with a note when skipped."""
    out: dict[str, Any] = {"live_web_latency_p50_s": None, "live_web_latency_max_s": None, "live_web_slow": slow,
                           "live_web_rep_count": None}
    vendor = REPO / "src" / "backsafe" / "web" / "static" / "vendor" / "mediapipe-tasks-vision" / "vision_bundle.mjs"
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from live_driver import CHROMIUM, make_y4m, page_latencies, run_live_set, serve

    why = ("--smoke (the fake-camera run takes minutes)" if smoke else
           f"{CHROMIUM} missing" if not CHROMIUM.is_file() else
           "web assets missing (make web-assets)" if not vendor.is_file() else None)
    if why is None:
        try:
            import playwright  # noqa: F401
        except ImportError:
            why = "the playwright package is missing"
    if why is not None:
        out["live_web_note"] = "skipped: " + why
        return out
    d = tmp / "live_web"
    d.mkdir()
    y4m = d / "clip.y4m"
    duration, _, slow = make_y4m(CLIP, y4m, slow=slow)
    with serve(d) as base:
        run = run_live_set(base, y4m, duration, slow=slow)
    y4m.unlink()
    state = run["state"]
    lat = page_latencies(state)
    reps = [e for e in state["events"] if e.get("event") == "rep"]
    out.update({"live_web_latency_p50_s": statistics.median(lat) if lat else None,
                "live_web_latency_max_s": max(lat) if lat else None, "live_web_rep_count": len(reps),
                "live_web_slow": round(slow, 3),
                "live_web_stored_rep_count": (state.get("saved") or {}).get("rep_count"),
                "live_web_model": state.get("model"), "live_web_frames": state.get("frames"),
                "live_web_pose_fps_wall": round(state.get("frames", 0) / (duration * slow), 2),
                "live_web_server_latencies_s": [e.get("latency_s") for e in reps],
                # the wall latency = (movement still to be seen after the rep's end, in clip seconds x the slow-down)
                # + processing (pose of the completing frame in the page, the socket, the server's analysis)
                "live_web_detect_delay_clip_s": [round(e["detected_at_s"] - e["end_s"], 3) for e in reps],
                "live_web_processing_s": [e.get("page_processing_s") for e in reps],
                "live_web_error": state.get("error")})
    return out




def live_latency() -> dict[str, Any]:
    from backsafe.live import LiveOptions, run_live

    events: list[dict[str, Any]] = []
    end = run_live(CLIP, LiveOptions(exercise=EXERCISE, realtime=True), events.append)
    lat = [e["latency_s"] for e in events if e["event"] == "rep"]
    return {"live_latency_p50_s": statistics.median(lat) if lat else None,
            "live_latency_max_s": max(lat) if lat else None, "live_rep_count": end["rep_count"],
            "live_frames_dropped": end["frames_dropped"], "live_frames_analysed": end["frames_analysed"]}


# ----------------------------------------------------------------------------------------------------- html


def html_overhead(report: Any, analysis_s: float, tmp: Path) -> dict[str, Any]:
    try:
        from backsafe.report.html import render_html
    except ImportError:
        return {"html_overhead": None, "html_note": "backsafe.report.html.render_html not found; skipped"}
    t0 = time.perf_counter()
    render_html(report, CLIP, tmp / "report.html")
    dt = time.perf_counter() - t0
    return {"html_s": dt, "html_overhead": dt / analysis_s}


# -------------------------------------------------------------------------------------- fast-mode accuracy


def fast_accuracy(manifests: list[Path], max_items: int | None = None) -> dict[str, Any]:
    """Rep-count accuracy and fault F1 (clip level, codes pooled) on labelled video clips, stride 1 vs 2."""
    from backsafe.errors import BacksafeError
    from backsafe.evaluation import item_options, pose_cache_dir, resolve_root
    from backsafe.exercises import FAULT_CODES
    from backsafe.pipeline import analyze

    out: dict[str, Any] = {}
    for stride in (1, 2):
        right = total = tp = fp = fn = 0
        for m in manifests:
            doc = json.loads(m.read_text())
            root = resolve_root(m, doc.get("root", "."))
            ignore = set(doc.get("ignore_codes", []))
            videos = [it for it in doc["items"] if it.get("kind", "clip") == "clip"
                      and Path(str(it.get("file", ""))).suffix.lower() in (".mp4", ".mov", ".webm")]
            for item in videos[:max_items]:
                f = str(item.get("file", ""))
                try:
                    rep = analyze(root / f, item["exercise"], stride=stride, pose_cache_dir=pose_cache_dir(),
                                  **item_options(item))
                except BacksafeError:
                    found, count = set(), None
                else:
                    found, count = {x.code for x in rep.findings} - ignore, rep.rep_count
                if "reps" in item:
                    lo = int(item["reps"])
                    hi = lo + int(item.get("partial_reps", 0))
                    total += 1
                    right += int(count is not None and lo <= count <= hi)
                if "labels" in item:  # per code, plus "any" (binary labels such as YFGD Good/Bad)
                    truth = (set(item["labels"]) & set(FAULT_CODES)) | ({"any"} if item["labels"] else set())
                    pred = (found & set(FAULT_CODES)) | ({"any"} if found else set())
                    if set(item["labels"]) <= {"any"}:
                        truth, pred = truth & {"any"}, pred & {"any"}
                    tp += len(truth & pred)
                    fp += len(pred - truth)
                    fn += len(truth - pred)
        f1 = 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else None
        key = "default" if stride == 1 else "fast"
        out[key] = {"rep_count_accuracy": right / total if total else None, "rep_clips": total,
                    "fault_f1": f1, "fault_tp_fp_fn": [tp, fp, fn]}
    d, f = out["default"], out["fast"]
    out["fast_minus_default"] = {
        k: (f[k] - d[k]) if f[k] is not None and d[k] is not None else None
        for k in ("rep_count_accuracy", "fault_f1")
    }
    return out


# -------------------------------------------------------------------------------------------- back outline

HINGE_CLIP = REPO.parent / "shared" / "datasets" / "clips" / "deadlift_side_Jurisimo00.mp4"


def _outline_run(clip: Path, exercise: str, on: bool) -> dict[str, Any]:
    """One end-to-end analysis (pose included, no keypoint cache) with the back outline on (the default) or off;
    the outline's own time (decode of the wanted stretches + segmentation + tracing) is measured inside it."""
    import backsafe.pipeline as pipeline
    from backsafe.kinematics.back_contour import outline_timer

    options: dict[str, Any] = {} if on else {"back_shape": False}
    cache_env = os.environ.pop("BACKSAFE_POSE_CACHE", None)
    try:
        with outline_timer() as spent:
            t0 = time.perf_counter()
            report = pipeline.analyze(clip, exercise, **options)
            dt = time.perf_counter() - t0
    finally:
        if cache_env is not None:
            os.environ["BACKSAFE_POSE_CACHE"] = cache_env
    traced = sum(b["frames_traced"] for b in report.extra.get("back_shape", []))
    return {"seconds": dt, "outline_s": spent[0], "frames_traced": traced, "frames": int(report.input["frames"]),
            "state": report.extra.get("back_outline", {}).get("state")}


def outline_overhead(rounds: int) -> dict[str, Any]:
    """Default analysis (outline on) vs ``back_shape=False``, interleaved rounds (order alternates), median kept."""
    out: dict[str, Any] = {}
    clips = [("", CLIP, EXERCISE)] + ([("_hinge", HINGE_CLIP, "deadlift")] if HINGE_CLIP.is_file() else [])
    for suffix, clip, exercise in clips:
        runs: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for r in range(max(rounds, 1)):
            for on in ((True, False) if r % 2 == 0 else (False, True)):
                runs[on].append(_outline_run(clip, exercise, on))
                x = runs[on][-1]
                log(f"  {clip.name} outline {'on ' if on else 'off'}: {x['seconds']:.2f} s (outline "
                    f"{x['outline_s']:.2f} s, {x['frames_traced']} frames traced, {x['state']})")
        t_on = statistics.median(x["seconds"] for x in runs[True])
        t_off = statistics.median(x["seconds"] for x in runs[False])
        o_s = statistics.median(x["outline_s"] for x in runs[True])
        traced = runs[True][-1]["frames_traced"]
        out.update({
            f"outline_overhead{suffix}": t_on / t_off,
            f"outline_clip{suffix}": clip.name,
            f"outline_on_s{suffix}": t_on, f"outline_off_s{suffix}": t_off,
            f"outline_s{suffix}": o_s,
            # the outline's own share of the analysis, timed inside it: steadier than the wall-time ratio when
            # other programs load the machine (both runs are whole analyses with pose)
            f"outline_share{suffix}": statistics.median(x["outline_s"] / x["seconds"] for x in runs[True]),
            f"outline_frames_traced{suffix}": traced,
            f"outline_ms_per_traced_frame{suffix}": 1000 * o_s / traced if traced else None,
            f"outline_state{suffix}": runs[True][-1]["state"],
        })
    return out


# ------------------------------------------------------------------------------------------------------ main


#: the figures ``--throughput-only`` prints
THROUGHPUT_SHOWN = ("throughput_load_before_after", "e2e_fps", "model_fps", "decode_fps", "cores", "e2e_vs_core_limit",
                    "pose_stage_vs_core_limit", "model_fps_every_core", "every_core_vs_core_limit",
                    "e2e_vs_every_core", "decode_inclusive_limit_fps", "e2e_vs_decode_inclusive_limit",
                    "post_pose_share", "model_fps_lite", "model_fps_full", "model_fps_heavy", "model_cost_vs_full")


def _only_part(out: Path, what: str, measure: Callable[[], dict[str, Any]], *, stamp: str | None = None,
               shown: Sequence[str] | None = None, width: int = 26) -> int:
    """One part of the bench alone (``--*-only``): its figures merged into ``out``, the other figures kept.

    ``stamp``: also record when (``<stamp>_measured``); ``shown``: the figures printed (None: the part's own)."""
    log("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    log(f"{what} ...")
    merged = json.loads(out.read_text()) if out.is_file() else {}
    figures = measure()
    merged.update(figures)
    if stamp is not None:
        merged[f"{stamp}_measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    out.write_text(json.dumps(merged, indent=2, default=float) + "\n")
    for k in figures if shown is None else shown:
        log(f"{k:<{width}} {merged.get(k)}")
    log(f"written: {out}")
    return 0


def _live_web_alone(slow: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="backsafe-bench-") as tmp_s:
        return live_web_latency(Path(tmp_s), slow, smoke=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2,
                    help="interleaved rounds of the throughput and of the batch runs (median kept)")
    ap.add_argument("--no-accuracy", action="store_true", help="skip the fast-mode accuracy on labelled data")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    ap.add_argument("--throughput-only", action="store_true",
                    help="only the throughput part (fps per model size, e2e_vs_core_limit), merged into --out")
    ap.add_argument("--outline-only", action="store_true",
                    help="only the back outline's cost (outline_overhead*), merged into --out")
    ap.add_argument("--live-web-slow", type=float, default=1.0,
                    help="the live web page's fake camera plays the clip this many times slower (see the docstring)")
    ap.add_argument("--live-web-only", action="store_true",
                    help="only the live web page's latency (live_web_*), merged into --out")
    ap.add_argument("--smoke", action="store_true",
                    help="every step once at the smallest scale (1 round, 2 batch clips, a 2x clip for memory, "
                    "2 accuracy clips): checks the bench runs, its figures mean little (tests run this)")
    args = ap.parse_args()
    if args.smoke:
        args.rounds = 1
        global MODEL_SIZE_FRAMES
        MODEL_SIZE_FRAMES = 30
    if args.outline_only:
        return _only_part(args.out, "back outline: default (on) vs --no-back-shape",
                          lambda: outline_overhead(args.rounds), shown=())
    if args.live_web_only:
        return _only_part(args.out, "live web page, fake camera fed from the clip (Chromium)",
                          lambda: _live_web_alone(args.live_web_slow), stamp="live_web", width=30)
    if args.throughput_only:
        return _only_part(args.out, "throughput (interleaved rounds, every model size)",
                          lambda: throughput(args.rounds)[0], stamp="throughput", shown=THROUGHPUT_SHOWN)
    log("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    results: dict[str, Any] = {"clip": CLIP.name, "exercise": EXERCISE, "cpus": os.cpu_count(),
                               "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="backsafe-bench-") as tmp_s:
        tmp = Path(tmp_s)
        log("throughput (interleaved rounds) ...")
        tp, report = throughput(args.rounds)
        results.update(tp)
        log("batch scaling ...")
        results.update(batch_scaling(tmp, n_clips=2 if args.smoke else 20, rounds=args.rounds))
        from videotools import concat_clip

        log("peak memory 1x vs 10x (fresh processes; live latency and html measured meanwhile) ...")
        x10 = concat_clip(CLIP, tmp / "clip_x10.mp4", 2 if args.smoke else 10)
        mem1 = start_memory(CLIP)
        mem10 = start_memory(x10)
        results.update(live_latency())
        results.update(html_overhead(report, results["analysis_s"], tmp))
        m1, m10 = finish_memory(mem1), finish_memory(mem10)
        results.update({"peak_rss_1x_mb": m1["peak_rss_mb"], "peak_rss_10x_mb": m10["peak_rss_mb"],
                        "frames_1x": m1["frames"], "frames_10x": m10["frames"],
                        "mem_10x_vs_1x": m10["peak_rss_mb"] / m1["peak_rss_mb"]})
        log("live web page, fake camera fed from the clip (Chromium) ...")
        results.update(live_web_latency(tmp, args.live_web_slow, args.smoke))
    log("back outline: default (on) vs --no-back-shape ...")
    results.update(outline_overhead(args.rounds))
    if not args.no_accuracy:
        from backsafe.evaluation import pose_cache_dir

        log("fast-mode accuracy on labelled clips (pose cache: %s) ..." % pose_cache_dir())
        manifests = [REPO / "eval" / "manifests" / n for n in ("rep_count.json", "deadlift.json")]
        if all(m.is_file() for m in manifests):
            results["fast_accuracy"] = fast_accuracy(manifests, max_items=1 if args.smoke else None)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if args.smoke:
        results["smoke"] = True
    args.out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print_table(results)
    log(f"written: {args.out}")
    return 0


def print_table(r: dict[str, Any]) -> None:
    def f(v: Any, spec: str = ".2f") -> str:
        return "n/a" if v is None else format(v, spec)

    rows = [
        ("naive_fps (cv2 loop + MediaPipe)", f(r["naive_fps"], ".1f"), ""),
        ("e2e_fps (backsafe.analyze)", f(r["e2e_fps"], ".1f"), ""),
        ("model_fps (inference only)", f(r["model_fps"], ".1f"), ""),
        ("e2e_vs_naive", f(r["e2e_vs_naive"]), ">= 1.1 ([6/7]), >= 0.95 ([1/7])"),
        ("e2e_vs_model", f(r["e2e_vs_model"]), ">= 0.9"),
        ("e2e_vs_core_limit", f(r.get("e2e_vs_core_limit")),
         f">= 0.9 ({r.get('cores')} cores x {f(r['model_fps'], '.1f')} fps; pose stage alone "
         f"{f(r.get('pose_stage_vs_core_limit'))})"),
        ("every_core_vs_core_limit", f(r.get("every_core_vs_core_limit")),
         f"the machine's ceiling for the line above: {r.get('cores')} pinned processes running only the model, "
         f"{f(r.get('model_fps_every_core'), '.1f')} fps together; e2e reaches {f(r.get('e2e_vs_every_core'))} of it"),
        ("model fps lite / full / heavy", " / ".join(f(r.get(f"model_fps_{m}"), ".1f") for m in ("lite", "full",
                                                                                              "heavy")),
         f"inference only, 1 thread, first {r.get('model_size_frames')} frames"),
        ("post_pose_share", f(r["post_pose_share"], ".3f"), "<= 0.05"),
        ("mem_10x_vs_1x", f(r["mem_10x_vs_1x"]), f"<= 1.15 ({r['peak_rss_1x_mb']:.0f} vs {r['peak_rss_10x_mb']:.0f} MB)"),
        ("workers2_vs_1", f(r["workers2_vs_1"]), ">= 1.7"),
        ("live_latency_p50_s / max_s", f"{f(r['live_latency_p50_s'])} / {f(r['live_latency_max_s'])}",
         f"<= 1.0; live reps {r['live_rep_count']} vs offline {r['rep_count_default']}"),
        ("live_web_latency_p50_s / max_s",
         f"{f(r.get('live_web_latency_p50_s'))} / {f(r.get('live_web_latency_max_s'))}",
         r.get("live_web_note") or f"<= 1.0; page reps {r.get('live_web_rep_count')} vs offline "
                                    f"{r['rep_count_default']}; camera x{r.get('live_web_slow')} slower, "
                                    f"{r.get('live_web_model')} model"),
        ("html_overhead", f(r.get("html_overhead"), ".3f"), r.get("html_note", "")),
        ("fast_fps / fast_vs_default", f"{f(r['fast_fps'], '.1f')} / {f(r['fast_vs_default'])}",
         f"sample reps {r['rep_count_fast']} (default {r['rep_count_default']})"),
    ]
    if "outline_overhead" in r:
        rows.append(("outline_overhead (on / off)", f(r["outline_overhead"]), f"sample clip: {r['outline_state']}"))
    if r.get("outline_overhead_hinge") is not None:
        rows.append(("outline_overhead_hinge", f(r["outline_overhead_hinge"]),
                     f"share {f(r['outline_share_hinge'])}, {r['outline_s_hinge']:.2f} s, "
                     f"{f(r['outline_ms_per_traced_frame_hinge'], '.0f')} ms per "
                     f"traced frame ({r['outline_frames_traced_hinge']} frames)"))
    acc = r.get("fast_accuracy")
    if acc:
        for k in ("default", "fast"):
            rows.append((f"labelled clips, {k}", f"reps right {f(acc[k]['rep_count_accuracy'], '.0%')}",
                         f"fault F1 {f(acc[k]['fault_f1'])} (n={acc[k]['rep_clips']})"))
        dd = acc.get("fast_minus_default", {})
        acc_pts = None if dd.get("rep_count_accuracy") is None else 100 * dd["rep_count_accuracy"]
        rows.append(("--stride 2 (fast) vs default", f"x{f(r['fast_vs_default'])} fps",
                     f"reps right {f(acc_pts, '+.0f')} points, fault F1 {f(dd.get('fault_f1'), '+.2f')}"))
    w = max(len(a) for a, _, _ in rows)
    for a, b, c in rows:
        log(f"{a:<{w}}  {b:>14}  {c}")


if __name__ == "__main__":
    raise SystemExit(main())
