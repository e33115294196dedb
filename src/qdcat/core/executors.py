"""Executors for work that fans out (samples, datasets, pixels, bootstraps).

Everything that fans out takes a :class:`concurrent.futures.Executor`. :func:`make_executor`
gives one of three:

* ``"serial"``: runs each task at submission, in this process (debugging, tiny jobs);
* ``"processes"`` (default): a local :class:`~concurrent.futures.ProcessPoolExecutor`;
* a dask.distributed cluster when ``scheduler`` is an address such as ``tcp://127.0.0.1:8786``
  (``dask.distributed.Client(address).get_executor()``; needs the ``[dask]`` extra).

No home-made scheduler: a cluster is dask's business.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Literal

from qdcat.core.errors import InputError, MissingDependencyError

__all__ = ["ExecutorKind", "SerialExecutor", "default_workers", "make_executor"]

ExecutorKind = Literal["serial", "processes"]


class SerialExecutor(Executor):
    """An executor that runs every task immediately in the calling process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the future carries it, as a pool's would
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Number of local worker processes: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def make_executor(
    kind: ExecutorKind = "processes",
    *,
    scheduler: str | None = None,
    max_workers: int | None = None,
    connect_timeout_s: float = 10.0,
) -> Iterator[Executor]:
    """Context manager yielding an executor; it is shut down (or the client closed) on exit.

    Parameters
    ----------
    kind:
        ``"serial"`` or ``"processes"``; ignored when ``scheduler`` is given.
    scheduler:
        Address of a running dask.distributed scheduler (``tcp://host:port`` or ``host:port``).
    max_workers:
        Local processes to start (default: the usable CPUs).
    connect_timeout_s:
        How long to try reaching ``scheduler`` before giving up, s.
    """
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise MissingDependencyError(
                "distributed", extra="dask", feature="--scheduler (running on a dask cluster)"
            ) from exc
        address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
        try:
            client = Client(address, timeout=f"{connect_timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"cannot connect to the dask scheduler: {exc}",
                field="--scheduler",
                expected="the address of a running dask.distributed scheduler",
                found=scheduler,
            ) from exc
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    if kind == "serial":
        yield SerialExecutor()
        return
    if kind != "processes":
        raise InputError(
            "unknown executor", field="executor", expected="'serial' or 'processes'", found=kind
        )
    workers = max_workers or default_workers()
    # forkserver: workers start from a clean, single-threaded server process, so a progress
    # bar's thread or an open plot in the parent cannot be copied into a worker mid-state.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool
