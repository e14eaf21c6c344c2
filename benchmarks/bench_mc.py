"""Monte Carlo benchmark: how fast and in how much memory the whole chain runs on many samples.

Targets (issue 6): 1,000,000 samples of one architecture through the whole chain in <= 10 s on
2 cores; 10,000,000 samples with ``chunks=`` under 2 GB peak memory.

Each case runs in its own Python process so that its peak memory is its own: the child's
high-water mark (``VmHWM`` of ``/proc/self/status``; not ``ru_maxrss``, which Linux carries over
fork + exec from the parent). With ``--scheduler local-cluster`` the dask.distributed workers are
other processes: only then a psutil sampler (every 20 ms) adds up the resident set of the process
*and all its children*. The ``stages`` case times the sampling and each stage on its own on
1,000,000 samples, to show where the time goes. Figures go through ``_results.record``.

Usage::

    .venv/bin/python benchmarks/bench_mc.py                 # every case, example-minimal
    .venv/bin/python benchmarks/bench_mc.py --arch NAME --case 1m-threads
    .venv/bin/python benchmarks/bench_mc.py --case 10m --chunk 131072
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from _results import high_water, record

ROOT = Path(__file__).resolve().parent.parent
CASES = ("stages", "1m-inprocess", "1m-threads", "10m")


class PeakRSS:
    """Sample the resident set of this process and all its descendants (psutil), in the background."""

    def __init__(self, interval: float = 0.02):
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        total = 0
        procs = [self.proc]
        try:
            procs += self.proc.children(recursive=True)
        except psutil.Error:
            pass
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())




def _child(args) -> dict:
    import dask
    import numpy as np

    import orbitdc as odc
    from orbitdc import chain, uncertainty as unc

    arch = odc.load_architecture(args.arch)
    odc.evaluate(arch)  # warm imports, catalogs and caches (not timed)
    out: dict = {"case": args.case, "arch": arch.name, "drawn_parameters": len(unc.marginals(arch)),
                 "stages": [st.name for st in chain.stages() if arch.kind in st.kinds]}
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = r0.ru_utime + r0.ru_stime
    tree = args.case == "10m" and args.scheduler == "local-cluster"
    with (PeakRSS() if tree else contextlib.nullcontext()) as peak:
        if args.case == "stages":
            n = 1_000_000
            margs = unc.marginals(arch)
            t0 = time.perf_counter()
            draws = unc._draw_arrays(margs, 0, n, 0, n)
            t1 = time.perf_counter()
            import xarray as xr

            ds = chain.build_inputs(arch, {k: xr.DataArray(v, dims="sample") for k, v in draws.items()})
            t2 = time.perf_counter()
            timings = {"draw (LHS + inverse CDF, 1 thread)": t1 - t0, "build_inputs": t2 - t1}
            for st in chain.stages():
                if arch.kind not in st.kinds:
                    continue
                ts = time.perf_counter()
                new = st.run(ds)
                ds = ds.assign({k: (v if isinstance(v, xr.DataArray) else xr.DataArray(v)) for k, v in new.items()})
                timings[f"stage {st.name}"] = time.perf_counter() - ts
            out["samples"] = n
            out["seconds"] = {k: round(v, 3) for k, v in timings.items()}
            out["total_s"] = round(sum(timings.values()), 3)
        elif args.case == "1m-inprocess":
            n = 1_000_000
            t0 = time.perf_counter()
            ds = odc.monte_carlo(arch, n, seed=0, design="nominal")  # the chain's throughput (optimal: bench_optimize.py)
            out["total_s"] = round(time.perf_counter() - t0, 3)
            out["samples"] = n
            out["variables"] = len(ds.data_vars)
        elif args.case == "1m-threads":
            n = 1_000_000
            t0 = time.perf_counter()
            with dask.config.set(num_workers=args.workers):
                ds = odc.monte_carlo(arch, n, seed=0, chunks=args.chunk_1m, scheduler="threads", design="nominal")
            out["total_s"] = round(time.perf_counter() - t0, 3)
            out["samples"], out["chunk"], out["workers"] = n, args.chunk_1m, args.workers
            out["variables"] = len(ds.data_vars)
        elif args.case == "10m":
            n = 10_000_000
            t0 = time.perf_counter()
            lazy = odc.monte_carlo(arch, n, seed=0, chunks=args.chunk, design="nominal")
            wanted = [v for v in ("cost_ratio_vs_terrestrial", "cost_per_kw_year", "total_mass") if v in lazy.data_vars]
            if not wanted:
                wanted = [unc.marginals(arch)[0].name]
            summary = unc.summarize(lazy, wanted)
            feasible = lazy["feasible"].astype(float).mean() if "sample" in lazy["feasible"].dims else lazy["feasible"]
            if args.scheduler == "local-cluster":
                from distributed import Client, LocalCluster

                with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster) as client:
                    summary, feasible = dask.compute(summary, feasible, scheduler=client)
            else:
                with dask.config.set(num_workers=args.workers):
                    summary, feasible = dask.compute(summary, feasible, scheduler="threads")
            out["total_s"] = round(time.perf_counter() - t0, 3)
            out["samples"], out["chunk"], out["workers"], out["scheduler"] = n, args.chunk, args.workers, args.scheduler
            out["summary"] = {v: [float(x) for x in np.asarray(summary[v].values).ravel()] for v in wanted}
            out["fraction_feasible"] = float(feasible)
    r = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s_self"] = round(r.ru_utime + r.ru_stime - cpu0, 2)  # user + system, all threads
    out["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)  # other work on the machine
    out["peak_MB"] = round((peak.peak if tree else high_water()) / 2**20, 1)
    out["peak_of"] = "the process and its dask workers (psutil, 20 ms)" if tree else "the process (VmHWM)"
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="example-minimal")
    ap.add_argument("--case", choices=CASES + ("all",), default="all")
    ap.add_argument("--chunk", type=int, default=131_072, help="samples per dask chunk (10m case)")
    ap.add_argument("--chunk-1m", type=int, default=524_288,
                    help="samples per dask chunk (1m-threads case: few chunks, as the chain costs ~0.5 s per call)")
    ap.add_argument("--workers", type=int, default=2, help="threads (or worker processes) to use")
    ap.add_argument("--scheduler", choices=("threads", "local-cluster"), default="threads", help="for the 10m case")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(_child(args)), flush=True)
        return 0
    cases = CASES if args.case == "all" else (args.case,)
    print(f"orbitdc Monte Carlo benchmark: {args.arch}, {os.cpu_count()} CPUs visible, python {sys.version.split()[0]}")
    failed = 0
    for case in cases:
        cmd = [sys.executable, __file__, "--child", "--case", case, "--arch", args.arch, "--chunk", str(args.chunk),
               "--chunk-1m", str(args.chunk_1m),
               "--workers", str(args.workers), "--scheduler", args.scheduler]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"[{case}] FAILED (exit {proc.returncode})\n{proc.stderr[-3000:]}")
            failed += 1
            continue
        res = json.loads(lines[-1][len("RESULT "):])
        _record(res)
    return 1 if failed else 0


def _record(res: dict) -> None:
    """The figures of one case, as rows of benchmarks/RESULTS.md."""
    where = (f"{res['arch']}, {res['drawn_parameters']} parameters drawn; {res['cpu_s_self']} s CPU; "
             f"load {res['load_average_1min_at_end']} at the end")
    if res["case"] == "stages":
        for step, sec in res["seconds"].items():
            record(f"Monte Carlo, 1,000,000 samples: {step} (wall, once)", sec, "s", None, res["arch"])
    elif res["case"] == "1m-inprocess":
        record("Monte Carlo, 1,000,000 samples, whole chain, design='nominal', in process (wall, once)",
               res["total_s"], "s", "<= 10", where)
    elif res["case"] == "1m-threads":
        record(f"Monte Carlo, 1,000,000 samples, whole chain, design='nominal', chunks of {res['chunk']:,}, "
               f"{res['workers']} threads (wall, once)", res["total_s"], "s", "<= 10", where)
    elif res["case"] == "10m":
        record(f"Monte Carlo, 10,000,000 samples, chunks of {res['chunk']:,}, {res['workers']} {res['scheduler']}, "
               f"quantiles (wall, once)", res["total_s"], "s", None, where)
        record(f"Monte Carlo, 10,000,000 samples, chunks of {res['chunk']:,}: peak resident memory of {res['peak_of']}",
               res["peak_MB"] * 2**20 / 1e9, "GB", "< 2", res["arch"])
    if res["case"] in ("1m-inprocess", "1m-threads"):
        record(f"Monte Carlo {res['case']}: peak resident memory of {res['peak_of']}", res["peak_MB"], "MiB", None,
               res["arch"])


if __name__ == "__main__":
    sys.exit(main())
