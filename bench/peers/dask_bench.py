#!/usr/bin/env python3
"""Dask (dask.distributed LocalCluster) peers of the ActorFarm cluster scenarios.

Usage: python3 dask_bench.py SCENARIO [--n N] [--reps R] [--workers W] [--chunks C]

Needs dask.distributed (Debian: apt-get install python3-distributed; it is Debian's /usr/bin/python3
that has it, not a pyenv python3). A LocalCluster(n_workers=W, threads_per_worker=1) of worker processes
is started once and warmed up before anything is timed, as the farm and the Pool are.

Scenarios (each prints one JSON line on stdout; times in seconds):
  tiny  client.map(isprime, range(n), pure=False), then client.gather: one Dask task per item.
  map   sqrt of n float64s: (a) client.map(np.sqrt, C numpy chunks of the input) + gather + concatenate
        (input array built outside timing, shipped to the workers inside it, as the farm ships its
        input); (b) dask.bag.range(m, npartitions=C).map(math.sqrt).compute() (Python
        floats, per-item function calls, as Pool.map does) over --bag-n items (default n/10: a bag of
        10^7 Python floats takes minutes here).
"""

import argparse
import json
import logging
import math
import statistics
import sys
import time


def isprime(n):
    """The same 6k +/- 1 trial division as ActorFarm's built-in isprime."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    if n % 3 == 0:
        return n == 3
    i = 5
    while i * i <= n:
        if n % i == 0 or n % (i + 2) == 0:
            return False
        i += 6
    return True


def summary(samples):
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "samples_s": samples,
    }


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def scenario_tiny(client, args):
    expected = sum(1 for i in range(args.n) if isprime(i))
    client.gather(client.map(isprime, range(200), pure=False))  # warm-up
    samples = []
    for _ in range(args.reps):
        def run():
            futures = client.map(isprime, range(args.n), pure=False)
            return client.gather(futures)
        t, result = timed(run)
        assert sum(result) == expected
        del result
        samples.append(t)
    return {"client_map": summary(samples)}


def scenario_map(client, args):
    import numpy as np
    import dask.bag as db

    data = np.arange(args.n, dtype=np.float64)
    chunks = np.array_split(data, args.chunks)
    warm = np.array_split(data[:1000], args.chunks)
    client.gather(client.map(np.sqrt, warm, pure=False))  # warm-up
    arrays = []
    for _ in range(args.reps):
        def run():
            futures = client.map(np.sqrt, chunks, pure=False)
            return np.concatenate(client.gather(futures))
        t, out = timed(run)
        assert len(out) == args.n and out[-1] == math.sqrt(args.n - 1)
        del out
        arrays.append(t)

    db.range(1000, npartitions=args.chunks).map(math.sqrt).compute()  # warm-up
    bags = []
    bag_n = args.bag_n or max(1, args.n // 10)
    for _ in range(args.reps):
        t, out = timed(lambda: db.range(bag_n, npartitions=args.chunks).map(math.sqrt).compute())
        assert len(out) == bag_n and out[-1] == math.sqrt(bag_n - 1)
        del out
        bags.append(t)
    return {
        "client_map_chunks": summary(arrays),
        "client_map_chunks_note": f"{args.chunks} chunks of ~{args.n // args.chunks:,} float64, np.sqrt per chunk (vectorised); input shipped inside the timing",
        "bag_map": summary(bags),
        "bag_map_n": bag_n,
        "bag_map_note": f"{bag_n:,} items (not {args.n:,}), {args.chunks} partitions, math.sqrt per Python int",
    }


SCENARIOS = {"tiny": scenario_tiny, "map": scenario_map}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--bag-n", type=int, default=0, help="map: items of the bag variant (default n/10)")
    args = parser.parse_args()

    import dask
    import distributed
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        result = SCENARIOS[args.scenario](client, args)

    result.update({
        "scenario": args.scenario,
        "n": args.n,
        "reps": args.reps,
        "workers": args.workers,
        "python": sys.version.split()[0],
        "dask": dask.__version__,
        "distributed": distributed.__version__,
    })
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
