"""Running jobs on a Ray cluster: one :class:`~backsafe.batch.analyzer.Analyzer` actor per CPU, inputs and
references shipped through the object store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DependencyError, InputError
from .analyzer import Analyzer
from .jobs import MAX_ATTEMPTS, BatchJob, JobResult


def _ship(path: Path) -> dict[str, bytes]:
    """The bytes of an input or a reference for a worker on another machine: one file, or a folder's files."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def run_ray(jobs: list[BatchJob], address: str, workers: int | None) -> Iterator[tuple[BatchJob, JobResult]]:
    """The same jobs on a Ray cluster: one :class:`Analyzer` actor (one pose model) per CPU, inputs shipped
    through the object store (no shared file system needed), reports returned to the driver."""
    try:
        import ray as ray_module
    except ImportError as exc:
        raise DependencyError("--ray-address needs Ray: pip install 'ray==2.60.0'") from exc
    ray: Any = ray_module  # Ray's own annotations are partial; checked at run time by the tests
    try:
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        cause = f"{exc} {exc.__cause__ or ''}"
        if "AuthToken" in cause or "Authentication" in cause:
            raise InputError(f"the Ray cluster at {address!r} refused the connection: it uses token "
                             "authentication; run with RAY_AUTH_MODE=token and the cluster's token in RAY_AUTH_TOKEN "
                             "or ~/.ray/auth_token (the cluster's `ray start` was given RAY_AUTH_MODE=token)") from exc
        raise InputError(f"cannot connect to the Ray cluster at {address!r}: {exc}; start one with "
                         "`ray start --head` on this machine, or give the head's host:port") from exc
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = workers or cpus
        actor_cls = ray.remote(num_cpus=1, max_restarts=-1)(Analyzer)
        warm = any(j.needs_pose_model for j in jobs)
        actors = [actor_cls.remote(one_per_core=n >= cpus) for _ in range(min(n, len(jobs)) or 1)]
        if warm:
            ray.get([a.warm_up.remote() for a in actors])
        yield from dispatch_ray(ray, actors, jobs)
    finally:
        ray.shutdown()


def dispatch_ray(ray: Any, actors: list[Any], jobs: list[BatchJob]) -> Iterator[tuple[BatchJob, JobResult]]:
    pending = list(reversed(jobs))
    idle = list(actors)
    running: dict[Any, tuple[BatchJob, Any]] = {}
    attempts: dict[str, int] = {}
    shipped_refs: dict[tuple[Path, str], Any] = {}  # each reference's bytes go into the object store once
    while pending or running:
        while pending and idle:
            job, actor = pending.pop(), idle.pop()
            if job.reference is None:
                running[actor.run.remote(job.as_spec(), _ship(job.path))] = (job, actor)
                continue
            ref_key = (job.reference.path, job.reference.sha256)
            if ref_key not in shipped_refs:
                shipped_refs[ref_key] = ray.put(_ship(job.reference.path))
            # a top-level object reference: Ray hands the actor the bytes themselves (no shared file system)
            running[actor.run.remote(job.as_spec(), _ship(job.path), shipped_refs[ref_key])] = (job, actor)
        ready, _ = ray.wait(list(running), num_returns=1)
        job, actor = running.pop(ready[0])
        idle.append(actor)
        try:
            yield job, ray.get(ready[0])
        except ray.exceptions.RayError as exc:  # actor died: Ray restarts it (max_restarts); retry the job
            attempts[job.name] = attempts.get(job.name, 0) + 1
            if attempts[job.name] >= MAX_ATTEMPTS:
                yield job, JobResult(job.name, "unfinished", error=f"Ray worker failed {MAX_ATTEMPTS} times: {exc}")
            else:
                pending.append(job)


