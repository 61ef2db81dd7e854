#!/usr/bin/env python3
"""Where riposte's memory goes under load, measured from outside: one thread written without pause while
another is read at full speed (issue 15's 66 MiB), RSS sampled every 100 ms.

    python3 bench/memory.py [--seconds 15] [--env MALLOC_ARENA_MAX=2] [--env ...]

Each `--env` runs the same load once more with that variable set for the server (several in one value,
separated by commas), after the run without it, so that allocator settings can be compared on one build
(`RIPOSTE_BIN`). Prints one JSON object: per run the peak RSS, the RSS after the load and the server's
thread count at the peak, with the reads and posts a second.
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the server wrapper, wrk and the RSS sampler live there)


def threads_of(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


class Peak(run.Sampler):
    """The RSS sampler, also noting the thread count at the peak."""

    def __init__(self, pid):
        super().__init__(pid)
        self.threads = 0

    def run(self):
        while not self.stop.is_set():
            rss = run.rss_kb([self.pid])
            if rss > self.peak:
                self.peak, self.threads = rss, threads_of(self.pid)
            time.sleep(0.1)


def once(args, tmp, env):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        rip = run.Riposte(tempfile.mkdtemp(dir=tmp))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    run.seed(rip, n200=200, n5=0)
    idle = run.rss_kb([rip.proc.pid])
    body = json.dumps({"site": "bench", "uri": "/written/", "text": run.TEXT, "author": "Mem"}, ensure_ascii=False)
    post = run.lua(os.path.join(tmp, "mem_post.lua"),
                   f'wrk.method = "POST"\nwrk.body = \'{body}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    results = {}

    def load(name, target, script):
        results[name] = run.wrk(rip.port, target, args.seconds, conns=args.conns, script=script)

    with Peak(rip.proc.pid) as s:
        ts = [threading.Thread(target=load, args=("reads", rip.thread_target("/t200/"), None)),
              threading.Thread(target=load, args=("posts", "/api/v1/comments", post))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    time.sleep(1)
    after = run.rss_kb([rip.proc.pid])
    rip.stop()
    return {
        "env": env, "rss_mb": {"idle": round(idle / 1024, 1), "peak": round(s.peak / 1024, 1),
                               "after": round(after / 1024, 1)},
        "threads_at_peak": s.threads,
        "reads_per_s": results["reads"]["rps"], "posts_per_s": results["posts"]["rps"],
        "read_p99_ms": results["reads"]["p99_ms"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--conns", type=int, default=64, help="connections of each of the two wrk runs")
    ap.add_argument("--env", action="append", default=[], help="VAR=VALUE[,VAR=VALUE] for one more run")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="riposte-mem-")
    runs = [{}] + [dict(kv.split("=", 1) for kv in e.split(",")) for e in args.env]
    out = []
    for env in runs:
        run.log(f"memory: {env or 'default'}")
        out.append(once(args, tmp, env))
    print(json.dumps({"binary": run.RIPOSTE, "seconds": args.seconds, "runs": out}, indent=2))


if __name__ == "__main__":
    main()
