"""``backsafe live``: a thin shell over :mod:`backsafe.live` (events in the terminal and as JSON lines)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .analyze import MODEL_HELP, ModelOpt
from .common import FAST_STRIDE, run_guarded

__all__ = ["LIVE_PERSON_HELP", "live"]

LIVE_PERSON_HELP = ("Who to follow: auto (default: whoever the single-person tracker finds, as fast as before; live "
                    "cannot know in advance who will exercise), or largest, center, left, right, or a point x,y "
                    "(fractions of the frame, e.g. 0.3,0.5, or pixels): chosen on the first frame anyone is found, "
                    "then only that person is followed (a warning when they are out of view, never someone else).")


def live(
    source: Annotated[str, typer.Argument(help="A camera index (0, 1...) or a video file.")],
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="Exercise id (`backsafe exercises`).")] = "squat",
    realtime: Annotated[bool, typer.Option("--realtime/--no-realtime", help="Play a file at its own speed "
                                           "(frames arrive by their time stamps, late frames are dropped).")] = True,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="Write events as JSON lines to this file "
                                               "('-' = stdout).")] = None,
    load_kg: Annotated[float | None, typer.Option("--load-kg", help="External load held, kg.")] = None,
    tempo: Annotated[str | None, typer.Option(help="Prescribed tempo, e.g. 3-1-2-0.")] = None,
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", help="Stop after this long.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Pose on every 2nd frame.")] = False,
    model: Annotated[ModelOpt, typer.Option("--model", help=MODEL_HELP)] = ModelOpt.full,
    person: Annotated[str, typer.Option(help=LIVE_PERSON_HELP)] = "auto",
) -> None:
    """Analyse a camera or a clip as it plays: rep and fault events as they happen (terminal + JSON lines).

    ``--person auto`` (default) follows whoever the single-person tracker locks onto, at today's cost: live cannot
    know in advance who will do the exercise, and most live sets show one person. A choice (largest, center, left,
    right, x,y) picks one of several on the first frame anyone is found and follows only them."""
    from ..live import LiveOptions, print_event, run_live

    console = Console(stderr=jsonl is not None and str(jsonl) == "-")

    def go() -> None:
        sink = sys.stdout if jsonl is not None and str(jsonl) == "-" else None
        fh = jsonl.open("w", encoding="utf-8") if jsonl is not None and sink is None else None
        try:
            from ..user_config import analysis_defaults

            conf = analysis_defaults()  # body mass, sex and default tempo from the config file
            opts = LiveOptions(exercise=exercise, realtime=realtime, load_kg=load_kg,
                               tempo=tempo if tempo is not None else conf.get("tempo"),
                               body_mass_kg=conf.get("body_mass_kg", 75.0), sex=conf.get("sex", "male"),
                               max_seconds=max_seconds, stride=FAST_STRIDE if fast else 1,
                               model=model.value, person=person)

            def emit(event: dict[str, Any]) -> None:
                print_event(event, console)
                stream = sink or fh
                if stream is not None:
                    import json

                    stream.write(json.dumps(event) + "\n")
                    stream.flush()

            run_live(source, opts, emit)
        finally:
            if fh is not None:
                fh.close()

    run_guarded(go)
