"""The ``backsafe`` command line: parse, call the library, map errors to exit codes (one mapping, one place).

Exit codes (DESIGN.md): 0 ok, 2 bad usage, 3 unreadable or invalid input (nothing written), 4 no person found,
1 unexpected internal error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from .errors import (
    BacksafeError,
    DependencyError,
    InputError,
    NoPersonError,
    StorageError,
    UnknownExerciseError,
)

#: the one mapping from error type to exit code (most specific first)
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (UnknownExerciseError, 2),
    (InputError, 3),
    (NoPersonError, 4),
    (DependencyError, 1),
    (StorageError, 1),
    (BacksafeError, 1),
)

app = typer.Typer(
    name="backsafe",
    help="Film a set, get per-rep feedback that protects your lower back; plan and log training around pain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
T = TypeVar("T")


def _conventional_help_types() -> None:
    """Typer 0.29 writes ``<bool>`` after every flag and ``<list[str]>`` after a repeatable option, as if a flag
    took a value and a repeatable option took a list. Show what is typed instead, as Click's own help does: nothing
    after a flag, the one value's type after a repeatable option (its help says it repeats)."""
    from typer import core

    original = core._TyperParameter.display_type
    if getattr(original, "_backsafe", False):
        return

    def display_type(self: Any, ctx: Any) -> str:
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return ""
        shown = str(original(self, ctx))
        if shown.startswith("<list[") and shown.endswith("]>"):
            return "<" + shown[len("<list["):-len("]>")] + ">"
        return shown

    display_type._backsafe = True  # type: ignore[attr-defined]
    core._TyperParameter.display_type = display_type  # type: ignore[method-assign]


_conventional_help_types()


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"backsafe {__version__}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_print_version,
                                 is_eager=True),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show the pose model's own log lines."),
) -> None:
    """Film a set, get per-rep feedback that protects your lower back; plan and log training around pain."""


def exit_code_for(exc: BaseException) -> int:
    for typ, code in EXIT_CODES:
        if isinstance(exc, typ):
            return code
    return 1


def _one_line(exc: BaseException) -> str:
    # issue 9: the message is one line even when it quotes a path or file content with a newline in it, and
    # square brackets in it ("[x, y]", a file named "[/]") are text, not rich markup (a MarkupError crashed)
    from rich.markup import escape

    return escape(" ".join(str(exc).split()) or exc.__class__.__name__)


def run_guarded(fn: Callable[[], T], catch_all: bool = False) -> T:
    """Run ``fn``; a BacksafeError becomes a one-line message on stderr and its exit code.

    With ``catch_all`` any other exception (a bug) becomes a one-line "internal error" and exit 1 instead of a
    traceback; ``BACKSAFE_DEBUG=1`` lets the traceback through.
    """
    try:
        return fn()
    except BacksafeError as exc:
        err_console.print(f"[bold red]error:[/] {_one_line(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code_for(exc)) from None
    except Exception as exc:
        if not catch_all or os.environ.get("BACKSAFE_DEBUG"):
            raise
        err_console.print(
            f"[bold red]error:[/] internal error ({exc.__class__.__name__}: {_one_line(exc)}); this is a bug, "
            "please report it (BACKSAFE_DEBUG=1 shows the traceback)", highlight=False, soft_wrap=True,
        )
        raise typer.Exit(1) from None


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


class OutFormat(str, Enum):
    json = "json"
    html = "html"
    video = "video"
    text = "text"
    csv = "csv"


class ViewOpt(str, Enum):
    side = "side"
    front = "front"
    oblique = "oblique"


def _progress_bar(console: Console, label: str = "pose") -> tuple[Callable[[int, int | None], None], Callable[[], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console,
        transient=True, disable=not console.is_terminal,
    )
    task = progress.add_task("pose", total=None)
    progress.start()

    def update(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=total)

    return update, progress.stop


#: staging folders are ``.backsafe-<pid>-<random>`` inside --out; a SIGKILLed run leaves its own behind
STAGING_PREFIX = ".backsafe-"
STALE_STAGING_S = 24 * 3600


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_stale_staging(out: Path) -> None:
    """Remove staging folders left by killed runs (issue 9, crash safety): those whose process is gone, and any
    older than a day (pid reused, another host on a shared folder). A live run's folder is never touched."""
    import time

    for d in out.glob(f"{STAGING_PREFIX}*"):
        try:
            pid = int(d.name[len(STAGING_PREFIX):].split("-", 1)[0])
        except ValueError:
            pid = None
        try:
            old = time.time() - d.stat().st_mtime > STALE_STAGING_S
        except OSError:
            continue
        if d.is_dir() and (old or (pid is not None and pid != os.getpid() and not _pid_alive(pid))):
            shutil.rmtree(d, ignore_errors=True)


def _write_text(report: Any, path: Path, written: list[Path]) -> Path:
    """The terminal summary as plain text (``--format text`` writes it to report.txt as well as printing it)."""
    from rich.console import Console

    from .report.text import print_summary

    with open(path, "w", encoding="utf-8") as fh:
        print_summary(report, Console(file=fh, width=100, no_color=True, highlight=False, force_terminal=False),
                      written)
    return path


def _write_outputs(report: Any, src: Path, out: Path, formats: list[OutFormat], reference: Any) -> list[Path]:
    """Write every asked-for file into a staging folder first, then move them in: no half-written report."""
    from .report.json_report import write_json

    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
    written: list[Path] = []
    try:
        if reference is not None:
            from .compare import attach_comparison

            attach_comparison(report, reference)
        if OutFormat.json in formats:
            written.append(write_json(report, staging / "report.json"))
        if OutFormat.html in formats:
            from .report.html import render_html

            video = src if report.input.get("format") == "video" else None
            written.append(render_html(report, video, staging / "report.html"))
        if OutFormat.video in formats:
            if report.input.get("format") != "video":
                raise InputError("--format video needs a video input (this input is a keypoint file)")
            from .report.video import write_annotated_video

            update, stop = _progress_bar(err_console, "video")
            try:
                written.append(write_annotated_video(report, src, staging / "annotated.mp4",
                                                     progress=lambda done, total: update(done, total)))
            finally:
                stop()
        if OutFormat.csv in formats:
            from .report.frames_csv import write_frames_csv

            written.append(write_frames_csv(report, staging / "frames.csv"))
        if OutFormat.text in formats:
            written.append(_write_text(report, staging / "report.txt", [out / p.name for p in written]))
        final = []
        for p in written:
            dest = out / p.name
            os.chmod(p, 0o600)  # a report is personal health data: every file readable by its owner only
            os.replace(p, dest)
            final.append(dest)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@app.command()
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
) -> None:
    """Analyse one set: reps, tempo, faults, lumbar moment, one top cue."""
    from .pipeline import analyze as run_analysis
    from .pipeline import load_reference

    formats = list(fmt or [OutFormat.json, OutFormat.text])
    console = Console()

    def go() -> None:
        import warnings

        # issue 9 (one-line stderr): NumPy's RuntimeWarnings on missing keypoints (all-NaN slices, 0/0) are the
        # expected way NaN propagates through the analysis, not news for the user; the library still emits them
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"backsafe\.")
        update, stop = _progress_bar(err_console)
        try:
            from .user_config import analysis_defaults

            conf = analysis_defaults()  # the config file fills what the command line leaves out
            opts: dict[str, Any] = dict(input_format=input_format.value, fps=fps, load_kg=load_kg,
                                        body_mass_kg=body_mass_kg if body_mass_kg is not None
                                        else conf.get("body_mass_kg", 75.0),
                                        sex=sex if sex is not None else conf.get("sex", "male"),
                                        tempo=tempo if tempo is not None else conf.get("tempo"),
                                        view=view.value if view else None,
                                        stride=2 if fast and stride == 1 else stride,
                                        back_shape=back_shape)
            # a report.json of good reps gives its stored measures; a recording is analysed first, as the set is
            ex_id = exercise
            if ex_id is None and reference is not None:
                # the reference is analysed as the set's exercise: recognise that first (pose runs once more)
                from .pipeline import AnalysisOptions, load_pose, recognise_exercise

                ex_id = recognise_exercise(load_pose(input, AnalysisOptions(exercise="", **opts))[0],
                                           AnalysisOptions(exercise="", **opts))[0].id
            ref = load_reference(reference, ex_id, **opts) if reference is not None and ex_id else None
            report = run_analysis(input, exercise if reference is None else ex_id, progress=update, reference=ref,
                                  **opts)
            if exercise is None and reference is not None:
                report.extra["exercise_source"] = "recognised"
                report.warnings.insert(0, f"no --exercise given: recognised the movement as a {report.exercise} "
                                          "(the reference was analysed as one too); give --exercise if it is another")
        finally:
            stop()
        # DESIGN.md: no --format writes report.json and prints the summary; --format text also writes report.txt
        written = _write_outputs(report, input, out, list(fmt) if fmt else [OutFormat.json], ref)
        if OutFormat.text in formats:
            try:
                from .report.text import print_summary
            except ImportError:  # pragma: no cover - text module ships with the package
                console.print(json.dumps(report.to_dict()["summary"], indent=2))
            else:
                print_summary(report, console, written)

    run_guarded(go, catch_all=True)


@app.command("eval")
def eval_cmd(
    dataset_dir: Annotated[Path, typer.Argument(help="A folder of manifests (*.json) or one manifest file.")],
    out: Annotated[Path | None, typer.Option(help="Write the results as JSON here.")] = None,
    subset: Annotated[str | None, typer.Option(help="Only manifests whose name contains this.")] = None,
) -> None:
    """Precision / recall / F1 per fault code against labels, and rep-count error."""
    from .evaluation import run_eval

    run_guarded(lambda: run_eval(dataset_dir, out=out, subset=subset, console=Console()))


def _register_optional() -> None:
    """Commands that live in their own modules (coach, web, batch) join when their module is present."""
    for mod, attr in (("backsafe.coach_cli", "register"), ("backsafe.batch_cli", "register"),
                      ("backsafe.web.cli", "register")):
        try:
            module = __import__(mod, fromlist=[attr])
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue
            raise
        getattr(module, attr)(app)


_register_optional()


def main() -> None:
    from .native_logs import quiet_native_logs

    verbose = any(a in ("-v", "--verbose") for a in sys.argv[1:2]) or bool(os.environ.get("BACKSAFE_NATIVE_LOGS"))
    try:
        with quiet_native_logs(enabled=not verbose):
            app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
