"""What a web job tells the analysis beyond the clip and the exercise: the upload's choices as the job row stores
them (:func:`stored_choices`) and as ``analyze`` takes them (:func:`job_options`).

Who to analyse and the pose model are stored as None when they are the defaults (auto, full), as in the rows of
jobs queued before they could be chosen; such a job passes neither on and ``analyze`` uses its own defaults.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from ..model import View
from ..options import person_key
from ..pose.models import DEFAULT_MODEL, check_model_name
from .models import Job

__all__ = ["DEFAULT_PERSON", "JobOptions", "job_options", "stored_choices"]

#: ``analyze``'s default choice of person (the one doing the exercise)
DEFAULT_PERSON = "auto"


class JobOptions(TypedDict, total=False):
    """What a job tells the analysis beyond the clip and the exercise (from the upload form)."""

    input_format: str
    load_kg: float
    tempo: str
    view: View
    person: str
    model: str
    reference: Any  # the PersonalReference of one of the user's own reports


def stored_choices(person: str | None, model: str | None) -> tuple[str | None, str | None]:
    """The upload's ``person`` (auto, largest, center, left, right or a point x,y) and ``model`` (lite, full,
    heavy) as the job row keeps them: one spelling, None for the defaults and for blank fields. ValueRangeError (an
    InputError: 422) for anything else, naming the field."""
    chosen = person_key(person) if person and person.strip() else DEFAULT_PERSON
    size = check_model_name(model.strip()) if model and model.strip() else DEFAULT_MODEL
    return (None if chosen == DEFAULT_PERSON else chosen), (None if size == DEFAULT_MODEL else size)


def job_options(job: Job) -> JobOptions:
    """The keywords ``analyze`` gets for ``job`` (all but its reference, read from the user's files)."""
    options: JobOptions = {"input_format": "video"}  # the upload was checked as a video
    if job.load_kg is not None:
        options["load_kg"] = job.load_kg
    if job.tempo:
        options["tempo"] = job.tempo
    if job.view:
        options["view"] = cast("View", job.view)  # one of services.VIEWS, checked at upload
    if job.person:
        options["person"] = job.person  # checked at upload (stored_choices)
    if job.model:
        options["model"] = job.model
    return options
