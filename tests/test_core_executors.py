"""Executors: serial, local processes and a dask.distributed cluster give the same answers."""

from __future__ import annotations

import operator

import pytest

from qdcat.core.errors import InputError
from qdcat.core.executors import SerialExecutor, make_executor


def _squares(ex) -> list[int]:
    futures = [ex.submit(operator.mul, i, i) for i in range(8)]
    return [f.result() for f in futures]


def test_serial_and_processes_agree() -> None:
    with make_executor("serial") as ex:
        assert isinstance(ex, SerialExecutor)
        serial = _squares(ex)
    with make_executor("processes", max_workers=2) as ex:
        pooled = _squares(ex)
    assert serial == pooled == [i * i for i in range(8)]


def test_serial_executor_carries_exceptions() -> None:
    with make_executor("serial") as ex:
        fut = ex.submit(operator.truediv, 1, 0)
    with pytest.raises(ZeroDivisionError):
        fut.result()


def test_unknown_kind_is_an_input_error() -> None:
    with (
        pytest.raises(InputError, match="expected 'serial' or 'processes'"),
        make_executor(
            "threads"  # type: ignore[arg-type]
        ),
    ):
        pass


@pytest.mark.dask
def test_dask_scheduler_address() -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            host="127.0.0.1",
            protocol="tcp",
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=":0",
        ) as cluster,
        make_executor(scheduler=cluster.scheduler_address) as ex,
    ):
        assert _squares(ex) == [i * i for i in range(8)]


def test_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    with (
        pytest.raises(InputError, match="--scheduler"),
        make_executor(
            scheduler="tcp://127.0.0.1:9",  # port 9 (discard): nothing listens there
            connect_timeout_s=1.0,
        ),
    ):
        pass
