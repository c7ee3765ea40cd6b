#!/usr/bin/env python3
"""Closer looks than `make bench`, on the same served streams (docs/performance.md):

  profile.py compare OLD NEW [--loops 2000 --rounds 5]   (--rounds 0: instructions only)
      two callpop binaries side by side: instructions per event (callgrind, 10 against 30
      loops) and events per CPU-second in alternating rounds with the C client, as a ratio
  profile.py threads CALLPOP [--top 12] [--keep DIR] [--client c]
      instructions per event of each thread (callgrind --separate-threads, 20 against 80
      loops) and each thread's most expensive functions; --keep copies the callgrind files
      to DIR (for callgrind_annotate --inclusive=yes)
  profile.py syscalls CALLPOP [--loops 300]
      system calls of each thread of callpop and of the C client (strace -f)
  profile.py cpu CALLPOP... [--loops 10000 --rounds 7]
      CPU nanoseconds per event (all threads, and the kernel's part) of one or more callpop
      builds and the C client, in alternating rounds: medians and ranges

Needs what scripts/bench.sh builds (.build-bench: ami-replay, ami-splitter) and valgrind or
strace. Timings are information, never pass/fail.
"""
import argparse, collections, os, re, shutil, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_bench  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def bench(callpop, rounds=1):
    return run_bench.Bench(argparse.Namespace(bin=f"{ROOT}/.build-bench", callpop=callpop, python="", rounds=rounds))


def compare(o):
    for label, binary in (("old", o.old), ("new", o.new)):
        print(f"{label}: {bench(binary).instructions('callpop', 10, 30):,.0f} instructions per event")
    print(f"C client: {bench(o.old).instructions('c', 10, 30):,.0f} instructions per event")
    for label, binary in (("old", o.old), ("new", o.new)) if o.rounds > 0 else ():
        b = bench(binary)
        rates = {"callpop": [], "c": []}
        for round_number in range(o.rounds):
            for name in rates:
                results, _ = b.replay(name, o.loops, tag=f"-{round_number}")
                rates[name].append(int(results["events"]) / (int(results["cpu_ticks"]) / int(results["clock_ticks_per_second"])))
        per_round = ", ".join(f"{a / c:.0%}" for a, c in zip(rates["callpop"], rates["c"]))
        print(f"{label}: {statistics.median(rates['callpop']) / statistics.median(rates['c']):.0%} of the C client's "
              f"events per CPU-second (rounds: {per_round})")


def callgrind_functions(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True).stdout
    functions = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if match and "PROGRAM TOTALS" not in line:
            functions[match.group(2)] = int(match.group(1).replace(",", ""))
    return functions


def threads(o):
    b = bench(o.callpop)
    nodebug = f"{b.work}/callpop-nodebug"
    subprocess.run(["strip", "--strip-debug", "-o", nodebug, o.callpop], check=True)
    prefix = ("env", f"LD_PRELOAD={ROOT}/.build-bench/valgrind-sigsuspend.so", "valgrind", "--tool=callgrind", "--separate-threads=yes")
    runs = {}
    for loops in (20, 80):
        out = f"{b.work}/threads-{loops}"
        results, _ = b.replay(o.client, loops, prefix=(*prefix, f"--callgrind-out-file={out}", "--"), tag=f"-th{loops}", callpop=nodebug)
        runs[loops] = (out, int(results["events"]))
    events = runs[80][1] - runs[20][1]
    parts = sorted(f for f in os.listdir(b.work) if f.startswith("threads-80-"))
    for part in parts:
        small = callgrind_functions(f"{b.work}/threads-20-{part.split('-')[-1]}")
        large = callgrind_functions(f"{b.work}/{part}")
        costs = sorted(((large.get(k, 0) - small.get(k, 0)) / events, k) for k in set(small) | set(large))[::-1]
        total = sum(cost for cost, _ in costs)
        if total < 1:
            continue
        print(f"thread {part.split('-')[-1]}: {total:,.0f} instructions per event")
        names = [re.sub(r"\s*\[.*\]$", "", k).replace("???:", "") for _, k in costs[:o.top]]
        demangled = subprocess.run(["swift", "demangle", "--compact", "--simplified"], input="\n".join(names),
                                   capture_output=True, text=True).stdout.splitlines() or names
        for (cost, _), name in zip(costs[:o.top], demangled):
            print(f"  {cost:8.1f}  {name[:120]}")
    if o.keep:
        os.makedirs(o.keep, exist_ok=True)
        for part in os.listdir(b.work):
            if part.startswith("threads-"):
                shutil.copy(f"{b.work}/{part}", o.keep)


def syscalls(o):
    b = bench(o.callpop)
    for name in ("callpop", "c"):
        out = f"{b.work}/strace-{name}"
        results, _ = b.replay(name, o.loops, prefix=("strace", "-f", "-qq", "-o", out, "--"))
        counts = collections.defaultdict(collections.Counter)
        for line in open(out):
            fields = line.split(None, 1)
            if len(fields) == 2 and "resumed>" not in fields[1]:
                counts[fields[0]][fields[1].split("(", 1)[0]] += 1
        print(f"{name}: {results['events']} events")
        for thread, calls in sorted(counts.items(), key=lambda item: -sum(item[1].values()))[:4]:
            print(f"  thread {thread}: " + ", ".join(f"{call} {n}" for call, n in calls.most_common(5)))


def cpu(o):
    rows = {binary: [] for binary in o.callpop}
    rows["C client"] = []
    for round_number in range(o.rounds):
        for binary in o.callpop:
            results, _ = bench(binary).replay("callpop", o.loops, tag=f"-{round_number}")
            rows[binary].append(results)
        results, _ = bench(o.callpop[0]).replay("c", o.loops, tag=f"-c{round_number}")
        rows["C client"].append(results)
    for name, results in rows.items():
        def per_event(key):
            return [int(r[key]) * 1e9 / int(r["clock_ticks_per_second"]) / int(r["events"]) for r in results]
        total, kernel = per_event("cpu_ticks"), per_event("cpu_system_ticks")
        print(f"{name}: {statistics.median(total):.0f} ns of CPU per event (rounds {min(total):.0f}-{max(total):.0f}), "
              f"of which the kernel {statistics.median(kernel):.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("compare")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--loops", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=5)
    p = commands.add_parser("threads")
    p.add_argument("callpop")
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--client", default="callpop", choices=("callpop", "c"), help="profile the C client instead")
    p.add_argument("--keep")
    p = commands.add_parser("syscalls")
    p.add_argument("callpop")
    p.add_argument("--loops", type=int, default=300)
    p = commands.add_parser("cpu")
    p.add_argument("callpop", nargs="+")
    p.add_argument("--loops", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=7)
    o = parser.parse_args()
    {"compare": compare, "threads": threads, "syscalls": syscalls, "cpu": cpu}[o.command](o)


if __name__ == "__main__":
    main()
