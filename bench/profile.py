#!/usr/bin/env python3
"""A CPU profile of riposte serving one of run.py's small reads under wrk, with `perf` (Debian: linux-perf).

    cargo build --release --bin riposte      # with symbols, see below
    python3 bench/profile.py thread5 [--seconds 10] [--top 25] [--call-graph dwarf]
    python3 bench/profile.py counts20 --stat   # CPU time per request instead

The release profile strips the binary; build it with symbols for this:
`CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release`.
Scenario: `thread5` (the 5-comment thread), `counts20` (counts for 20 pages) or `thread200` (the 200-comment
thread), seeded as run.py seeds them; `--no-cache` turns the response cache off, so every read is a miss;
wrk runs with 2 threads and 64 connections for the given time while `perf record -F 999` samples the
server (from one second in, so start-up and seeding are not in it). Prints wrk's numbers and the top
entries of `perf report --stdio --no-children` (self time per symbol, all threads).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def stat(args, rip, target):
    """perf stat on the server for the whole wrk run (perf starts first and stops after wrk), per request."""
    out = os.path.join(os.path.dirname(rip.db), "stat.txt")
    perf = subprocess.Popen(["perf", "stat", "-x", ",", "-o", out, "-e", "task-clock,context-switches",
                             "-p", str(rip.proc.pid), "--", "sleep", str(args.seconds + 2)])
    time.sleep(0.5)
    r = run.wrk(rip.port, target, args.seconds)
    perf.wait()
    rip.stop()
    counts = {}
    with open(out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) > 2 and parts[0].replace(".", "").isdigit():
                counts[parts[2]] = float(parts[0])
    # task-clock is in milliseconds of CPU over all the server's threads.
    cpu_us = counts.get("task-clock", 0) * 1000 / r["requests"]
    switches = counts.get("context-switches", 0) / r["requests"]
    print(f"{args.scenario}: {r['requests']:,} requests, {r['rps']:,.0f} req/s, p99 {r['p99_ms']} ms; per request: "
          f"{cpu_us:.1f} us of server CPU, {switches:.2f} context switches")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=["thread5", "counts20", "thread200"])
    ap.add_argument("--no-cache", action="store_true", help="response_cache = false: every read builds its answer")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--call-graph", default=None, help="passed to perf record (e.g. dwarf); flat without")
    ap.add_argument("--stat", action="store_true",
                    help="CPU time and context switches per request (perf stat; this VM has no hardware counters) instead of a profile: far less "
                         "sensitive to other load on the machine than requests a second")
    ap.add_argument("--log", default="error", help="RUST_LOG of the server (the default build logs at info)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="riposte-prof-")
    os.environ["RUST_LOG"] = args.log
    rip = run.Riposte(tmp, extra="response_cache = false" if args.no_cache else "")
    rip.proc.kill()  # run.Riposte sets RUST_LOG=error; start again with the level asked for
    rip.proc.wait()
    rip.proc = run.spawn([run.RIPOSTE, "--config", rip.config], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": args.log})
    run.wait_http(rip.port, "/healthz")
    run.seed(rip, **({} if args.scenario == "thread200" else {"n200": 0}))
    target = {"thread5": rip.thread_target("/t5/"), "thread200": rip.thread_target("/t200/"),
              "counts20": rip.counts_target()}[args.scenario]
    if args.stat:
        stat(args, rip, target)
        return
    data = os.path.join(tmp, "perf.data")
    result = {}
    load = threading.Thread(target=lambda: result.update(run.wrk(rip.port, target, args.seconds + 2)))
    load.start()
    time.sleep(1)
    cmd = ["perf", "record", "-F", "999", "-o", data, "-p", str(rip.proc.pid)]
    if args.call_graph:
        cmd += ["--call-graph", args.call_graph]
    subprocess.run(cmd + ["--", "sleep", str(args.seconds)], check=True, capture_output=True)
    load.join()
    rip.stop()
    print(f"wrk: {result['rps']:,.0f} req/s, p99 {result['p99_ms']} ms ({args.scenario}, RUST_LOG={args.log})")
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--percent-limit", "0.5",
                             "--sort", "symbol"] + ([] if args.call_graph else ["-g", "none"]),
                            capture_output=True, text=True, check=True).stdout
    # perf pads the symbol column to its widest entry; keep the text readable.
    lines = [ln.rstrip().removesuffix("-      -").rstrip() for ln in report.splitlines()
             if ln.strip() and not ln.startswith("#")]
    print("\n".join(lines[: args.top] if not args.call_graph else lines[: args.top * 12]))


if __name__ == "__main__":
    main()
