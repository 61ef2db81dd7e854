#!/usr/bin/env python3
"""Two riposte binaries side by side on the read and posting scenarios of run.py, the runs interleaved
(A B A B ...) so that the machine's drift falls on both alike; prints medians and the ratio B/A.

    python3 bench/ab.py --a OLD_BINARY --b NEW_BINARY [--rounds 3] [--seconds 10]

Used to show that a change made nothing slower (bench/RESULTS.md, "Architecture")."""

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the scenarios, the server wrapper and wrk live there)


LEGACY = set()


def server(binary, tmp):
    run.RIPOSTE = binary
    run.SITE_EXTRA = "" if binary in LEGACY else 'pow = "off"\n'
    return run.Riposte(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="the baseline binary")
    ap.add_argument("--b", required=True, help="the binary under test")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--a-legacy", action="store_true",
                    help="the baseline predates the pow site setting (it would refuse the key)")
    args = ap.parse_args()
    if args.a_legacy:
        LEGACY.add(args.a)
    tmp = tempfile.mkdtemp(prefix="riposte-ab-")
    bins = {"a": args.a, "b": args.b}
    servers = {k: server(v, tmp) for k, v in bins.items()}
    for s in servers.values():
        run.seed(s)
    targets = {"thread200": lambda s: s.thread_target("/t200/"), "thread5": lambda s: s.thread_target("/t5/"),
               "counts20": lambda s: s.counts_target()}
    rows = {name: {"a": [], "b": []} for name in [*targets, "post"]}
    for r in range(args.rounds):
        for name, target in targets.items():
            for k in ("a", "b") if r % 2 == 0 else ("b", "a"):
                run.log(f"round {r + 1}: {name} {k}")
                rows[name][k].append(run.wrk(servers[k].port, target(servers[k]), args.seconds))
        for k in ("a", "b") if r % 2 == 0 else ("b", "a"):
            run.log(f"round {r + 1}: post {k}")
            fresh = server(bins[k], tmp)
            ns = argparse.Namespace(seconds=args.seconds)
            rows["post"][k].append(run.measure_post(
                ns, fresh, tmp, f"{k}{r}", "/api/v1/comments",
                {"site": "bench", "uri": "/post/", "text": run.TEXT, "author": "Last"},
                "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE t.uri = '/post/'"))
    for s in servers.values():
        s.stop()
    print(f"| scenario | A req/s (median of {args.rounds}) | B req/s | B / A | A p99 ms | B p99 ms |")
    print("|---|---|---|---|---|---|")
    for name, runs in rows.items():
        med = {k: statistics.median(x["rps"] for x in v) for k, v in runs.items()}
        p99 = {k: statistics.median(x["p99_ms"] for x in v) for k, v in runs.items()}
        print(f"| {name} | {med['a']:,.0f} | {med['b']:,.0f} | {med['b'] / med['a']:.2f} | {p99['a']:.1f} | {p99['b']:.1f} |")
    for k, v in rows["post"].items():
        for x in v:
            if not x["acknowledged"] <= x["stored"] <= x["acknowledged"] + 64:
                raise SystemExit(f"{k}: {x['acknowledged']} acknowledged, but {x['stored']} stored")


if __name__ == "__main__":
    main()
