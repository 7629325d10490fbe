#!/usr/bin/env python3
"""Python multiprocessing.Pool peers of the ActorFarm embedded-farm scenarios.

Usage: python3 pool_bench.py SCENARIO [--n N] [--reps R] [--processes P] [--task-us U] [--warmup W]

Scenarios (each prints one JSON line on stdout; times are in seconds):
  map      Pool.map(math.sqrt, range(n)) with the default chunksize; also a serial list(map(...)).
  tiny     Pool.map(isprime, range(n), chunksize=1) and apply_async for every item, then get() each.
  cpu      n calls of a busy loop of task-us microseconds: serially in this process, then Pool.map.
  latency  pool.apply_async(math.sqrt, (2.0,)).get(), n times in sequence after warm-up: p50 and p99.

The pool is started once per invocation and warmed up before anything is timed, as the farm is.
Only the standard library is used, so a bare python3 is enough.
"""

import argparse
import json
import math
import multiprocessing
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


def spin(us):
    """Burns the CPU (no sleep) for `us` microseconds of wall-clock time; returns the loop count."""
    end = time.perf_counter() + us / 1e6
    x = 0
    count = 0
    while time.perf_counter() < end:
        for k in range(32):
            x += k * k
        count += 1
    return count


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def summary(samples):
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "samples_s": samples,
    }


def percentile(sorted_samples, p):
    """Nearest-rank percentile of sorted samples (the same rule as the C# runner)."""
    if not sorted_samples:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_samples)))
    return sorted_samples[min(rank, len(sorted_samples)) - 1]


def scenario_map(pool, args):
    pool.map(math.sqrt, range(1000))  # warm-up
    par, ser = [], []
    for _ in range(args.reps):
        t, result = timed(lambda: pool.map(math.sqrt, range(args.n)))
        assert len(result) == args.n and result[-1] == math.sqrt(args.n - 1)
        del result
        par.append(t)
        t, result = timed(lambda: list(map(math.sqrt, range(args.n))))
        del result
        ser.append(t)
    return {"pool_map": summary(par), "serial": summary(ser)}


def scenario_tiny(pool, args):
    pool.map(isprime, range(1000), chunksize=1)  # warm-up
    mapped, applied = [], []
    expected = sum(1 for i in range(args.n) if isprime(i))
    for _ in range(args.reps):
        t, result = timed(lambda: pool.map(isprime, range(args.n), chunksize=1))
        assert sum(result) == expected
        mapped.append(t)

        def apply_all():
            handles = [pool.apply_async(isprime, (i,)) for i in range(args.n)]
            return [h.get() for h in handles]

        t, result = timed(apply_all)
        assert sum(result) == expected
        applied.append(t)
    return {"pool_map_chunksize1": summary(mapped), "apply_async": summary(applied)}


def scenario_cpu(pool, args):
    pool.map(spin, [100] * (2 * args.processes))  # warm-up
    ser, par = [], []
    work = [args.task_us] * args.n
    for _ in range(args.reps):
        t, _ = timed(lambda: [spin(u) for u in work])
        ser.append(t)
        t, _ = timed(lambda: pool.map(spin, work))
        par.append(t)
    serial_median = statistics.median(ser)
    pool_median = statistics.median(par)
    return {
        "serial": summary(ser),
        "pool_map": summary(par),
        "efficiency": serial_median / (pool_median * args.processes),
    }


def scenario_latency(pool, args):
    for _ in range(args.warmup):
        pool.apply_async(math.sqrt, (2.0,)).get()
    p50s, p99s, means = [], [], []
    for _ in range(args.reps):
        samples = []
        clock = time.perf_counter
        for _ in range(args.n):
            start = clock()
            pool.apply_async(math.sqrt, (2.0,)).get()
            samples.append(clock() - start)
        samples.sort()
        p50s.append(percentile(samples, 50))
        p99s.append(percentile(samples, 99))
        means.append(statistics.fmean(samples))
    return {
        "p50_s": statistics.median(p50s),
        "p99_s": statistics.median(p99s),
        "mean_s": statistics.median(means),
        "p50_samples_s": p50s,
        "p99_samples_s": p99s,
    }


SCENARIOS = {
    "map": scenario_map,
    "tiny": scenario_tiny,
    "cpu": scenario_cpu,
    "latency": scenario_latency,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--n", type=int, required=True, help="items, tasks or round trips")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--task-us", type=int, default=10_000, help="cpu: microseconds per task")
    parser.add_argument("--warmup", type=int, default=200, help="latency: untimed round trips first")
    args = parser.parse_args()

    with multiprocessing.Pool(processes=args.processes) as pool:
        result = SCENARIOS[args.scenario](pool, args)

    result.update({
        "scenario": args.scenario,
        "n": args.n,
        "reps": args.reps,
        "processes": args.processes,
        "python": sys.version.split()[0],
        "start_method": multiprocessing.get_start_method(),
    })
    if args.scenario == "cpu":
        result["task_us"] = args.task_us
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
