"""``backsafe eval``: run the product's own pipeline on labelled data and score it.

A manifest (JSON) lists items; each item is analysed with :func:`backsafe.pipeline.analyze_pose` exactly as
``backsafe analyze`` would, and the findings are compared with the labels:

- rep counting: a count is right when it lies between the full reps and full + partial reps;
- faults: precision / recall / F1 per fault code, at the unit the labels have (clip, rep, segment or frame);
  ``any`` is the binary "something is wrong" label of datasets that do not say which fault;
- every figure is given per split (``calib`` = used to set thresholds, ``test`` = never looked at while tuning).

Manifest format::

    {"name": "...", "root": "${SHARED}/datasets", "task": "faults|reps|segmentation",
     "ignore_codes": ["rushing"], "items": [ITEM, ...]}

ITEM kinds (``kind``): ``clip`` (a video or keypoint file; ``reps``, ``partial_reps``, ``labels``),
``uiprmd`` (an npz of pre-segmented reps, one item per rep, label from ``correct``; ``sensor`` kinect or
vicon), ``constructed`` (sets with an injected fault from tools/inject_faults.py, one item per set, label = the
injected code), ``csv_segments`` (Exercise-Correction CSV: one item per segment, per-frame labels mapped by
``label_map``), ``stage_reps`` (a stage-labelled CSV: reps counted from up/down labels), ``glob`` (files
matching a pattern, labels from the file name via ``name_labels``). ``${SHARED}`` is $BACKSAFE_SHARED_DIR or the
``shared`` folder beside the repo.
"""

from __future__ import annotations

from .items import evaluate_manifest, item_options, pose_cache_dir, resolve_root
from .metrics import rep_metrics
from .recognition import evaluate_recognition
from .run import run_eval

#: the entry points (the CLI's ``backsafe eval``, tools/, bench/, the tests); the rest is imported from its module
__all__ = ["evaluate_manifest", "evaluate_recognition", "item_options", "pose_cache_dir", "rep_metrics",
           "resolve_root", "run_eval"]
