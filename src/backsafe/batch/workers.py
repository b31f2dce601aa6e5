"""Running jobs on this machine: in this process, or in a pool of spawned worker processes (one pose model each)
that is rebuilt when a worker dies, with workers that exit with their driver and skip the interpreter's slow
teardown (atexit)."""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from collections.abc import Iterator

from .analyzer import Analyzer
from .jobs import MAX_ATTEMPTS, BatchJob, JobResult, JobSpec

#: this worker process's Analyzer (one pose model), made by the pool's initializer
_WORKER: Analyzer | None = None


def _exit_with_parent(parent: int, interval_s: float = 0.2) -> None:
    """Exit this process as soon as its parent (the batch driver) is gone.

    A pool worker otherwise outlives a killed driver: it holds both ends of its task queue, so it never sees the
    queue close and waits forever (with its pose model in memory). Linux re-parents an orphan, so a changed
    ``getppid()`` means the driver died.
    """

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                os._exit(70)  # EX_SOFTWARE; nobody is left to read a result

    threading.Thread(target=watch, name="backsafe-parent-watch", daemon=True).start()


def _init_worker(warm: bool, parent: int | None = None, workers: int = 1) -> None:
    global _WORKER
    if parent is not None:
        _exit_with_parent(parent)
    _WORKER = Analyzer(one_per_core=workers >= (os.cpu_count() or 1))
    if warm:
        _WORKER.warm_up()
    atexit.register(_exit_now)  # registered last, so it runs first when the pool tells the worker to stop


def _exit_now() -> None:
    """End a pool worker without the interpreter's slow teardown of MediaPipe, SciPy and the rest.

    Pool shutdown waits for every worker to exit; the full teardown took 1.9-2.3 s (load average 8) and this
    0.13-0.15 s, at the end of every batch and at every pool rebuilt after a worker died. Results are already
    sent by then (the worker's result queue writes synchronously) and a worker writes no files.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def _run_in_worker(spec: JobSpec) -> JobResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(spec)


def run_inline(jobs: list[BatchJob]) -> Iterator[tuple[BatchJob, JobResult]]:
    worker = Analyzer()
    for job in jobs:
        yield job, worker.run(job.as_spec())


def run_pool(jobs: list[BatchJob], workers: int) -> Iterator[tuple[BatchJob, JobResult]]:
    """A spawn process pool, at most ``workers`` jobs in flight; a dead worker is replaced, its job retried.

    Not ``fork``: forked workers start from the driver's imported modules (about 2 s sooner), but over 20 clips
    they showed no gain (alternate runs at load average 7-8: 72 s and 42 s forked, 42 s and 50 s spawned), and
    a fork inherits the driver's threads, locks and open files.
    """
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    warm = any(j.needs_pose_model for j in jobs)
    pending = list(reversed(jobs))
    attempts: dict[str, int] = {}
    while pending:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                   initializer=_init_worker, initargs=(warm, os.getpid(), workers))
        running: dict[Future[JobResult], BatchJob] = {}
        broken = False
        try:
            while pending or running:
                while pending and len(running) < workers and not broken:
                    job = pending.pop()
                    try:
                        running[pool.submit(_run_in_worker, job.as_spec())] = job
                    except BrokenProcessPool:  # a worker died before its futures told us: not this job's fault
                        pending.append(job)
                        broken = True
                if not running:
                    break  # broken with nothing in flight: a new pool
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    try:
                        yield job, fut.result()
                    except BrokenProcessPool:
                        broken = True
                        attempts[job.name] = attempts.get(job.name, 0) + 1
                        if attempts[job.name] >= MAX_ATTEMPTS:
                            yield job, JobResult(job.name, "unfinished", error="a worker process died on this "
                                                 f"input {MAX_ATTEMPTS} times (killed or crashed)")
                        else:
                            pending.append(job)
                if broken and not running:
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
