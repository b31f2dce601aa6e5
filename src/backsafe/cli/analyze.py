"""``backsafe analyze`` and ``backsafe eval``: parse, call the library, write the asked-for files (:mod:`.outputs`);
errors become one line and an exit code (:mod:`.common`)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

import typer
from rich.console import Console

from .common import err_console, run_guarded
from .outputs import OutFormat, progress_bar, write_outputs

if TYPE_CHECKING:
    from ..model import ReportData, View

__all__ = ["InputFormat", "MODEL_HELP", "ModelOpt", "PERSON_HELP", "OutFormat", "ViewOpt", "analyze", "eval_cmd"]


class InputFormat(str, Enum):
    auto = "auto"
    video = "video"
    blazepose_csv = "blazepose-csv"
    blazepose_json = "blazepose-json"
    openpose_json = "openpose-json"
    coco18_npy = "coco18-npy"
    coco17_json = "coco17-json"
    kinect_uiprmd = "kinect-uiprmd"
    kinect_v2 = "kinect-v2"
    pig39_npy = "pig39-npy"
    c3d = "c3d"


class ModelOpt(str, Enum):
    """The pose model size (pose/models.py): lite is fastest, heavy most accurate; README "Pose model"."""

    lite = "lite"
    full = "full"
    heavy = "heavy"


MODEL_HELP = ("Pose model size for videos: lite (fastest), full (default) or heavy (most accurate, ~3x slower); "
              "see the README's 'Pose model' section.")
PERSON_HELP = ("Who to analyse when several people are in frame: auto (the one doing the exercise), largest, "
               "center, left, right, or a point x,y on the first frame (fractions of the frame, e.g. 0.3,0.5, or "
               "pixels). Never switches to someone else mid-set.")


class ViewOpt(str, Enum):
    side = "side"
    front = "front"
    oblique = "oblique"


def analyze(
    input: Annotated[Path, typer.Argument(help="A video or a keypoint file (see --input-format).")],
    exercise: Annotated[str | None, typer.Option("--exercise", "-e", help="Exercise id (`backsafe exercises`); "
                                                 "left out, the exercise is recognised from the movement and the "
                                                 "report says so.")] = None,
    input_format: Annotated[InputFormat, typer.Option("--input-format", help="Input format; auto guesses.")] = InputFormat.auto,
    fps: Annotated[float | None, typer.Option(help="Frame rate, required for files without time stamps.")] = None,
    load_kg: Annotated[float | None, typer.Option("--load-kg", help="External load held, kg.")] = None,
    body_mass_kg: Annotated[float | None, typer.Option("--body-mass-kg", help="Body mass for the lumbar moment "
                                                       "(default: the config file's, else 75).")] = None,
    sex: Annotated[str | None, typer.Option(help="male|female: anthropometric tables and knee thresholds "
                                            "(default: the config file's, else male).")] = None,
    tempo: Annotated[str | None, typer.Option(help="Prescribed tempo ecc-pause-con-pause, e.g. 3-1-2-0 (default: "
                                              "the config file's default_tempo, else none prescribed).")] = None,
    view: Annotated[ViewOpt | None, typer.Option(help="Force the camera view instead of detecting it.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("backsafe-out"),
    fmt: Annotated[list[OutFormat] | None, typer.Option("--format", "-f", help="Repeatable: json, html, video, text, csv (one row per frame: time, keypoints, angles, with units).")] = None,
    reference: Annotated[Path | None, typer.Option(help="A recording of your own good reps: each rep is judged "
                                                   "against it and compared with its best rep. Or a report.json "
                                                   "of them (judged against it; no comparison).")] = None,
    stride: Annotated[int, typer.Option(help="Analyse every n-th frame (faster, less precise; never fewer than "
                                        "15 frames a second).")] = 1,
    fast: Annotated[bool, typer.Option("--fast", help="Same as --stride 2: about 1.8x faster; counted 88 % of "
                                       "labelled clips right vs 98 % (make bench).")] = False,
    back_shape: Annotated[bool | None, typer.Option("--back-shape/--no-back-shape", help="The back's outline (on by "
                                                     "default in side-view videos of exercises that check back "
                                                     "rounding; fitted clothing helps): flagged when it rounds more "
                                                     "than in your first rep, and in hinges when it is convex. "
                                                     "--no-back-shape turns it off.")] = None,
    person: Annotated[str, typer.Option(help=PERSON_HELP)] = "auto",
    model: Annotated[ModelOpt, typer.Option("--model", help=MODEL_HELP)] = ModelOpt.full,
) -> None:
    """Analyse one set: reps, tempo, faults, lumbar moment, one top cue."""

    def go() -> None:
        import warnings

        # issue 9 (one-line stderr): NumPy's RuntimeWarnings on missing keypoints (all-NaN slices, 0/0) are the
        # expected way NaN propagates through the analysis, not news for the user; the library still emits them
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"backsafe\.")
        opts = _options(input_format=input_format.value, fps=fps, load_kg=load_kg, body_mass_kg=body_mass_kg,
                        sex=sex, tempo=tempo, view=view, stride=2 if fast and stride == 1 else stride,
                        back_shape=back_shape, model=model.value)
        report = _run(input, exercise, reference, opts, person)
        # DESIGN.md: no --format writes report.json and prints the summary; --format text also writes report.txt
        written = write_outputs(report, input, out, list(fmt) if fmt else [OutFormat.json])
        if OutFormat.text in (fmt or [OutFormat.json, OutFormat.text]):
            from ..report.text import print_summary

            print_summary(report, Console(), written)

    run_guarded(go, catch_all=True)


class _Options(TypedDict):
    """The analysis options ``analyze`` gives the library (the same for the set and its reference)."""

    input_format: str
    fps: float | None
    load_kg: float | None
    body_mass_kg: float
    sex: str
    tempo: str | None
    view: View | None
    stride: int
    back_shape: bool | None
    model: str


def _options(*, input_format: str, fps: float | None, load_kg: float | None, body_mass_kg: float | None,
             sex: str | None, tempo: str | None, view: ViewOpt | None, stride: int,
             back_shape: bool | None, model: str = "full") -> _Options:
    """The command line's options; the config file fills what the command line leaves out."""
    from ..user_config import analysis_defaults

    conf = analysis_defaults()
    return _Options(input_format=input_format, fps=fps, load_kg=load_kg,
                    body_mass_kg=body_mass_kg if body_mass_kg is not None else conf.get("body_mass_kg", 75.0),
                    sex=sex if sex is not None else conf.get("sex", "male"),
                    tempo=tempo if tempo is not None else conf.get("tempo"),
                    view=view.value if view else None, stride=stride, back_shape=back_shape, model=model)


def _run(input: Path, exercise: str | None, reference: Path | None, opts: _Options,
         person: str = "auto") -> ReportData:
    """The set's report, with a progress bar on a terminal: the library's one call (pipeline.analyze reads the
    reference — a report.json's stored measures, or a recording of good reps analysed as the set's exercise — and
    attaches the rep-by-rep comparison with a recording). ``person`` chooses who is analysed in the set's clip."""
    from ..pipeline import analyze as run_analysis

    update, stop = progress_bar(err_console)
    try:
        return run_analysis(input, exercise, progress=update, reference=reference, person=person, **opts)
    finally:
        stop()


def eval_cmd(
    dataset_dir: Annotated[Path, typer.Argument(help="A folder of manifests (*.json) or one manifest file.")],
    out: Annotated[Path | None, typer.Option(help="Write the results as JSON here.")] = None,
    subset: Annotated[str | None, typer.Option(help="Only manifests whose name contains this.")] = None,
    model: Annotated[ModelOpt, typer.Option("--model", help="Pose model size for the manifests' videos (keypoint "
                                            "files do not use it).")] = ModelOpt.full,
) -> None:
    """Precision / recall / F1 per fault code against labels, and rep-count error."""
    from ..evaluation import run_eval

    run_guarded(lambda: run_eval(dataset_dir, out=out, subset=subset, console=Console(), model=model.value))
