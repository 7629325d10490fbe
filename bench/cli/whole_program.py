#!/usr/bin/env python3
"""`farm map` as a whole program against the Python Pool peer (bench/peers/pool_map_lines.py), pair by pair.

Usage: python3 bench/cli/whole_program.py [--farm PATH] [--baseline PATH] [--runs N] [--only NAME,...]

Runs each case's two commands in turn (farm, Pool, farm, Pool, ...) after one warm-up run of each, reading
their stdout through a pipe (as a consumer of the output would) and counting the bytes, and takes each run's
wall time and its CPU time (user + sys, from the kernel's accounting of the finished child). Prints, per
case, min / median / max of both and of the ratio Pool/farm of each pair (above 1: the farm is faster), so a
comparison holds when the shared machine's speed drifts. Timings only: the bytes themselves are checked by
the tests (tests/Farm.Tests/Cli/MapOutputBytesTests.cs).

--farm is the farm to time, by default artifacts/farm/farm, which `dotnet publish src/Farm.Node -c Release
-o artifacts/farm` makes (ReadyToRun, as a user installs it). --baseline PATH pairs it with another farm
instead of the Pool peer (a build of main, published the same way): the ratios are then baseline/farm, the
change's gain pair by pair. Standard library only.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "..", "peers", "pool_map_lines.py")

CASES = {
    "sqrt-1e7": ("sqrt", "0:10000000"),
    "isprime-2e6": ("isprime", "0:2000000"),
    "sqrt-100": ("sqrt", "0:100"),
}


def run(command):
    """Wall seconds, CPU seconds and bytes printed of one run of command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    printed = 0
    while True:
        block = child.stdout.read(1 << 20)
        if not block:
            break
        printed += len(block)
    code = child.wait()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        sys.exit(f"{' '.join(command)} exited with {code}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, printed


def spread(values):
    return f"{min(values):8.3f} {statistics.median(values):8.3f} {max(values):8.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farm", default=os.path.join(HERE, "..", "..", "artifacts", "farm", "farm"))
    parser.add_argument("--baseline", help="another farm to pair with instead of the Pool peer")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(CASES))
    args = parser.parse_args()

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; min / median / max of {args.runs} pairs")
    for name in args.only.split(","):
        function, items = CASES[name]
        farm = [args.farm, "map", function, "--range", items]
        peer_name = "baseline" if args.baseline else "pool"
        peer = [args.baseline, "map", function, "--range", items] if args.baseline else [sys.executable, PEER, function, items]
        run(farm), run(peer)  # warm-up: the page cache, the interpreter's .pyc files
        samples = {"farm": [], peer_name: []}
        for _ in range(args.runs):
            samples["farm"].append(run(farm))
            samples[peer_name].append(run(peer))
        print(f"\n{name}: farm map {function} --range {items} ({samples['farm'][-1][2]:,} bytes) against {peer_name} ({samples[peer_name][-1][2]:,} bytes)")
        for who in ("farm", peer_name):
            print(f"  {who} wall s {spread([s[0] for s in samples[who]])}   cpu s {spread([s[1] for s in samples[who]])}")
        wall = [p[0] / f[0] for f, p in zip(samples["farm"], samples[peer_name])]
        cpu = [p[1] / f[1] for f, p in zip(samples["farm"], samples[peer_name])]
        print(f"  {peer_name}/farm wall {spread(wall)}   cpu {spread(cpu)}")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
