"""Monte Carlo on a real dask.distributed cluster (two worker processes on loopback) equals the
in-process result bit for bit, whether the scheduler is given as a Client or as its address."""
from __future__ import annotations

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import uncertainty as unc

from test_uncertainty import bitwise_equal

pytestmark = pytest.mark.slow

ARCH = "example-minimal"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c


def test_local_cluster_equals_in_process(cluster):
    from distributed import Client

    n = 2000
    eager = odc.monte_carlo(ARCH, n, seed=8)
    with Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_cluster = odc.monte_carlo(ARCH, n, seed=8, chunks=(700, 600, 700), scheduler=client)
        assert client.status == "running"  # a client passed in is not closed
    bitwise_equal(eager, on_cluster)


def test_scheduler_address_string(cluster):
    n = 1500
    eager = odc.monte_carlo(ARCH, n, seed=9)
    by_address = odc.monte_carlo(ARCH, n, seed=9, scheduler=cluster.scheduler_address, chunks=512)
    bitwise_equal(eager, by_address)


def test_lazy_result_computed_under_an_active_client(cluster):
    from distributed import Client

    n = 1200
    eager = odc.monte_carlo(ARCH, n, seed=10)
    lazy = odc.monte_carlo(ARCH, n, seed=10, chunks=500)
    name = unc.marginals(ARCH)[0].name
    with Client(cluster) as client:
        got = client.compute(lazy[[name]]).result()
        q = unc.summarize(lazy, [name]).compute()
    assert np.array_equal(got[name].values, eager[name].values)
    assert np.array_equal(q[name].values, unc.summarize(eager, [name])[name].values)
