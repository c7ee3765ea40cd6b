#!/usr/bin/env python3
"""The AMI benchmark: callpop against a panoramisk (Python asyncio) popup script and a
plain-C splitter, served the recorded Asterisk 22 streams by ami-replay, in one run.

Run through scripts/bench.sh (which builds everything first); `--check` is the CI form: it
only checks that the three clients make the same decisions. Timings are printed as
information and ratios, never as pass/fail: the machine is shared.
"""
import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = ["inbound-answered", "inbound-missed", "outbound-answered", "internal-colleague"]
CALLS_PER_LOOP = len(SCENARIOS)
SECRET = "bench-secret"
COMPARED_KEYS = ["call", "rule_id", "trigger", "decision", "reason", "number", "url"]


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


class Bench:
    def __init__(self, options):
        self.o = options
        self.work = tempfile.mkdtemp(prefix="callpop-bench-")
        atexit.register(shutil.rmtree, self.work, ignore_errors=True)
        self.fixtures = [a for s in SCENARIOS for a in ("--fixture", f"{ROOT}/Tests/Fixtures/asterisk-22/{s}/ami.txt")]
        template = open(f"{ROOT}/Benchmarks/ami-bench/bench.toml").read()
        self.write("bench-in.toml", template.replace("@OPENER@", ""))
        fifo = f"{self.work}/opener.fifo"
        opener = f'opener = ["{options.bin}/stub-opener", "{fifo}"]'
        self.write("latency-in.toml", template.replace("@OPENER@", opener))
        self.fifo = fifo
        self.environment = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
        self.environment["CALLPOP_BENCH_SECRET"] = SECRET
        self.kernel_share = {}

    def write(self, name, text):
        with open(f"{self.work}/{name}", "w") as f:
            f.write(text)

    # ---- clients ----
    def client(self, name, latency=False, callpop=None):
        if name == "callpop":
            config = f"{self.work}/{'latency' if latency else 'bench'}.toml"
            flags = ["--json"] if latency else ["--dry-run", "--json"]
            return [callpop or self.o.callpop, "run", *flags, "--no-control", "--config", config]
        if name == "python":
            return [self.o.python, f"{ROOT}/Benchmarks/ami-bench/panoramisk_popup.py", "@PORT@", "popup", SECRET, "201"]
        argv = [f"{self.o.bin}/ami-splitter", "@PORT@", "popup", SECRET, "201"]
        return argv + ([f"{self.o.bin}/stub-opener", self.fifo] if latency else [])

    def replay(self, name, loops, prefix=(), latency=False, tag="", callpop=None, honor_filters=0):
        """Runs ami-replay with one client; returns its key=value results and the decisions file."""
        decisions = f"{self.work}/{name}{tag}.decisions"
        log = f"{self.work}/{name}{tag}.log"
        template = "latency" if latency else "bench"
        argv = [f"{self.o.bin}/ami-replay", *self.fixtures, "--loops", str(loops), "--secret", SECRET,
                "--template", f"{self.work}/{template}-in.toml:{self.work}/{template}.toml",
                "--decisions", decisions, "--client-log", log, "--timeout", "120"]
        if latency:
            argv += ["--latency", self.fifo]
        if honor_filters:
            argv += ["--honor-filters", str(honor_filters)]
        argv += ["--", *prefix, *self.client(name, latency, callpop)]
        run = subprocess.run(argv, capture_output=True, text=True, env=self.environment)
        results = dict(line.split("=", 1) for line in run.stdout.split() if "=" in line)
        if run.returncode != 0 or results.get("ok") != "1":
            tail = open(log, errors="replace").read()[-2000:] if os.path.exists(log) else ""
            fail(f"{name}: ami-replay failed ({run.returncode}): {run.stderr.strip()}\n{run.stdout}\n--- client log ---\n{tail}")
        return results, decisions

    # ---- decisions ----
    @staticmethod
    def decisions(path):
        rows = []
        for line in open(path, encoding="utf-8"):
            rows.append(tuple(Bench.json_string(line, key) for key in COMPARED_KEYS))
        return rows

    @staticmethod
    def json_string(line, key):
        """The string value of `key` in one flat JSON object line, or '-' when absent."""
        marker = f'"{key}":"'
        start = line.find(marker)
        if start < 0:
            return "-"
        i = start + len(marker)
        out = []
        while i < len(line) and line[i] != '"':
            if line[i] == "\\":
                i += 1
            out.append(line[i])
            i += 1
        return "".join(out)

    def agree(self, runs):
        """Every client's decisions equal the C limit's (the shorter runs: their prefix)."""
        reference = self.decisions(runs["c"])
        if not reference:
            fail("the C splitter made no decisions")
        for name, path in runs.items():
            rows = self.decisions(path)
            if rows != reference[: len(rows)] or not rows:
                first = next((i for i, (a, b) in enumerate(zip(rows, reference)) if a != b), min(len(rows), len(reference)))
                fail(f"{name} decides differently from the C splitter at decision {first}:\n"
                     f"  {name}: {rows[first] if first < len(rows) else 'nothing'}\n"
                     f"  c:      {reference[first] if first < len(reference) else 'nothing'}")
        return len(reference)

    # ---- measurements ----
    def throughput(self, names, loops_of):
        """Events per CPU-second of each client (median of the rounds), the kernel's share of that
        CPU, the decisions files. The clients take turns in each round, so a change in the
        machine's load between rounds falls on all of them alike."""
        rates = {name: [] for name in names}
        kernel = {name: [] for name in names}
        decisions = {}
        for round_number in range(self.o.rounds):
            for name in names:
                results, decisions[name] = self.replay(name, loops_of(name), tag=f"-t{round_number}")
                ticks = int(results["cpu_ticks"])
                rates[name].append(int(results["events"]) / max(ticks / int(results["clock_ticks_per_second"]), 1e-9))
                kernel[name].append(int(results["cpu_system_ticks"]) / max(ticks, 1))
        for name in names:
            self.kernel_share[name] = statistics.median(kernel[name])
        return {name: statistics.median(rates[name]) for name in names}, decisions

    def instructions(self, name, small, large):
        """Instructions per event of the whole process (all threads), from two callgrind runs of
        different lengths: start-up and shutdown cancel out in the difference."""
        callpop = None
        if name == "callpop":
            # Valgrind 3.19 cannot read the DWARF 5 of Swift 6 binaries; symbols are enough for totals.
            callpop = f"{self.work}/callpop-nodebug"
            subprocess.run(["strip", "--strip-debug", "-o", callpop, self.o.callpop], check=True)
        # See valgrind-sigsuspend.c: Valgrind 3.19 crashes on libdispatch's read-only sigsuspend mask.
        prefix = ("env", f"LD_PRELOAD={self.o.bin}/valgrind-sigsuspend.so", "valgrind", "--tool=callgrind")
        totals = []
        events = []
        for loops in (small, large):
            out = f"{self.work}/{name}-{loops}.callgrind"
            results, _ = self.replay(name, loops, prefix=(*prefix, f"--callgrind-out-file={out}", "--"),
                                     tag=f"-cg{loops}", callpop=callpop)
            total = None
            for line in open(out):
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
            if total is None:
                fail(f"no instruction total in {out}")
            totals.append(total)
            events.append(int(results["events"]))
        return (totals[1] - totals[0]) / (events[1] - events[0])

    def startup(self, name):
        times = [int(self.replay(name, 1, tag=f"-s{i}")[0]["start_to_first_decision_ns"]) for i in range(self.o.startup_runs)]
        return statistics.median(times)

    def scaling(self, loops):
        """Bytes each agent receives from a PBX that applies the login's event mask and the
        agent's Filter (as Asterisk does), against the full stream; the decisions must not change."""
        full, c_runs = self.replay("c", loops, tag="-full", honor_filters=1)
        masked, _ = self.replay("callpop", loops, tag="-masked", honor_filters=2)
        filtered, callpop_runs = self.replay("callpop", loops, tag="-filtered", honor_filters=1)
        self.agree({"c": c_runs, "callpop": callpop_runs})
        return full, masked, filtered

    def latency(self, name, calls):
        loops = max(1, calls // CALLS_PER_LOOP)
        results, decisions = self.replay(name, loops, latency=True, tag="-latency")
        return int(results["latency_p50_ns"]), int(results["latency_p99_ns"]), int(results["latencies"]), decisions


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callpop", required=True, help="the callpop binary")
    parser.add_argument("--python", required=True, help="the python of the venv with panoramisk")
    parser.add_argument("--bin", required=True, help="where ami-replay, ami-splitter and stub-opener are")
    parser.add_argument("--check", action="store_true", help="only check that the three clients decide the same")
    parser.add_argument("--loops", type=int, default=10000,
                        help="loops of the four recordings for callpop and C (10,000: ~3.4 million events, so a clock "
                             "tick of CPU time is under 1%% of the C client's)")
    parser.add_argument("--python-loops", type=int, default=150, help="loops for the panoramisk script")
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds, the clients taking turns (the median counts)")
    parser.add_argument("--callgrind-loops", default="10,30", help="two loop counts; instructions/event is the difference")
    parser.add_argument("--latency-calls", type=int, default=10000, help="calls in the event-to-spawn latency run (0: skip)")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--scaling-loops", type=int, default=100, help="loops for the bytes-per-agent measurement (0: skip)")
    parser.add_argument("--only", choices=["callpop"], help="measure callpop alone (while developing): no ratios")
    options = parser.parse_args()
    bench = Bench(options)
    names = ["c", "callpop", "python"]
    if options.only:
        rates, _ = bench.throughput(["callpop"], lambda name: options.loops)
        print(f"callpop: {rates['callpop']:,.0f} events per CPU-second")
        if options.callgrind_loops:
            small, large = (int(x) for x in options.callgrind_loops.split(","))
            print(f"callpop: {bench.instructions('callpop', small, large):,.0f} instructions per event")
        return

    if options.check:
        runs = {name: bench.replay(name, 3, tag="-check")[1] for name in names}
        count = bench.agree(runs)
        print(f"bench --check: callpop, the panoramisk script and the C splitter made the same {count} decisions "
              f"(3 loops of {', '.join(SCENARIOS)}; call ids, rules, triggers, verdicts, numbers, URLs)")
        _, _, filtered = bench.scaling(3)
        print(f"bench --check: with the PBX applying callpop's event mask and Filter, callpop received "
              f"{filtered['events_delivered']} of {filtered['events']} events and made the same decisions")
        return

    print(f"AMI benchmark: {', '.join(SCENARIOS)} from Tests/Fixtures/asterisk-22, looped with new call ids, "
          "over loopback TCP (Benchmarks/ami-bench, scripts/bench.sh)\n")
    rates, runs = bench.throughput(names, lambda name: options.python_loops if name == "python" else options.loops)
    count = bench.agree(runs)
    print(f"decisions: all three agree ({count} decisions compared: call ids, rules, triggers, verdicts, numbers, URLs)\n")

    instructions = {}
    have_valgrind = subprocess.run(["sh", "-c", "command -v valgrind"], capture_output=True).returncode == 0
    if have_valgrind and options.callgrind_loops:
        small, large = (int(x) for x in options.callgrind_loops.split(","))
        for name in names:
            instructions[name] = bench.instructions(name, small, large)

    print("| per AMI event, whole process | callpop `run --dry-run --json` | panoramisk script | plain-C splitter |")
    print("|---|---|---|---|")
    if instructions:
        print(f"| instructions (callgrind, {options.callgrind_loops} loops, difference) | {instructions['callpop']:,.0f} | "
              f"{instructions['python']:,.0f} | {instructions['c']:,.0f} |")
    print(f"| events per CPU-second (median of {options.rounds}) | {rates['callpop']:,.0f} | {rates['python']:,.0f} | {rates['c']:,.0f} |")
    print(f"| CPU per event, relative to C | {ratio(rates['c'], rates['callpop'])} | {ratio(rates['c'], rates['python'])} | 1× |")
    print(f"| of that CPU, in the kernel | {bench.kernel_share['callpop']:.0%} | {bench.kernel_share['python']:.0%} | {bench.kernel_share['c']:.0%} |")
    print()
    print(f"callpop per CPU-second: {100 * rates['callpop'] / rates['c']:.0f}% of the C limit, "
          f"{ratio(rates['callpop'], rates['python'])} the panoramisk script")
    if instructions:
        print(f"callpop instructions per event: {ratio(instructions['callpop'], instructions['c'])} the C limit, "
              f"panoramisk {ratio(instructions['python'], instructions['callpop'])} callpop")

    starts = {name: bench.startup(name) for name in names}
    print(f"\nstart to first decision (median of {options.startup_runs}; process start → login → first call's ringing):")
    for name in names:
        print(f"  {name:8} {starts[name] / 1e6:8.1f} ms  ({ratio(starts[name], starts['c'])} C)")

    if options.scaling_loops > 0:
        full, masked, filtered = bench.scaling(options.scaling_loops)
        calls = options.scaling_loops * CALLS_PER_LOOP
        print(f"\nbytes one agent (extension 201) receives, {calls} calls of the recordings, the PBX applying "
              "the login's event mask and the agent's AMI Filter (decisions unchanged):")
        for label, result in [("Events: on, no filter (every event)", full), ("Events: call", masked),
                              ("Events: call + callpop's Filter", filtered)]:
            size = int(result["event_bytes_delivered"])
            print(f"  {label:38} {int(result['events_delivered']):8,} events {size:12,} bytes  "
                  f"{size / calls / 1024:6.1f} KiB per call  {size / int(full['event_bytes_delivered']):5.1%}")
        # An agent in none of the calls gets only their Newchannel events (the filter's one
        # include that names no device): their size, straight from the recordings.
        newchannel = 0
        for scenario in SCENARIOS:
            text = open(f"{ROOT}/Tests/Fixtures/asterisk-22/{scenario}/ami.txt", "rb").read()
            newchannel += sum(len(block) + 4 for block in text.split(b"\r\n\r\n") if block.startswith(b"Event: Newchannel\r\n"))
        print(f"  an agent in none of these calls: only their Newchannel events, "
              f"{newchannel / CALLS_PER_LOOP / 1024:.1f} KiB per call of the PBX")
        # For comparison: a SIP dialog subscription to 201 (RFC 4235) over the same calls, the
        # NOTIFYs the recordings hold (headers and dialog-info bodies; the 200 OKs are not counted).
        for server in ["asterisk-22", "kamailio-5.6"]:
            size = sum(os.path.getsize(f"{ROOT}/Tests/Fixtures/{server}/{scenario}/dialog-201.txt") for scenario in SCENARIOS)
            print(f"  SIP dialog subscription to 201 served by {server}: {size / CALLS_PER_LOOP / 1024:.1f} KiB of NOTIFYs per call "
                  "of 201's, nothing for other calls")

    if options.latency_calls > 0:
        print(f"\nevent → posix_spawn of a stub opener, {options.latency_calls} calls one at a time "
              "(from the event's last byte written on the socket to the opener running):")
        latency = {}
        latency_runs = {}
        for name in ["c", "callpop"]:
            p50, p99, count, latency_runs[name] = bench.latency(name, options.latency_calls)
            latency[name] = (p50, p99)
            print(f"  {name:8} p50 {p50 / 1e3:7.0f} µs  p99 {p99 / 1e3:7.0f} µs  ({count} launches)")
        print(f"  callpop/C: p50 {ratio(latency['callpop'][0], latency['c'][0])}, p99 {ratio(latency['callpop'][1], latency['c'][1])}")
        bench.agree(latency_runs)


if __name__ == "__main__":
    main()
