#!/usr/bin/env python3
"""Many open live streams (`GET /api/v1/events`) on one server: what each costs in memory, and how long a
new comment takes to reach all of them.

    python3 bench/live.py [--streams 10000] [--step 2000] [--idle]

Starts the release build (`RIPOSTE_BIN`) with room for the streams (`max_connections`, `[live]`), opens
them in steps from one Python process (asyncio, one request per stream, sent in one write), samples the
server's RSS after each step once it settled, then posts one comment to the page every stream follows and
times its `comment.created` on every stream: from the POST's answer to the event read by this client
(so the client's own pace is in the number). Before the streams open and while they are open, it posts
comments to a page none of them follows and notes the server's CPU per post (from /proc): what the open
streams cost the rest of the site. Prints one JSON object.
"""
import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the server wrapper and the RSS reading live there)

PAGE = "/live/"


async def open_stream(port, ready, arrived):
    """One stream: its request, the head and the `ready` event; then it reads until `comment.created`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET /api/v1/events?site=bench&uri={PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Accept: text/event-stream\r\n\r\n").encode())
    await writer.drain()
    seen = b""
    while b"event: ready" not in seen:
        chunk = await reader.read(4096)
        if not chunk:
            raise ConnectionError(f"the stream closed before it was ready: {seen[:200]!r}")
        seen += chunk
    if b" 200 " not in seen.split(b"\r\n", 1)[0]:
        raise ConnectionError(seen[:200])
    ready.append(writer)

    async def follow():
        buf = b""
        while b"comment.created" not in buf:
            chunk = await reader.read(4096)
            if not chunk:
                return
            buf = buf[-64:] + chunk
        arrived.append(time.perf_counter())
    return asyncio.ensure_future(follow())


async def open_idle(port, ready, _arrived):
    """For comparison: a keep-alive connection that asked for `/healthz` once and then sits idle (the
    server closes it after 10 s without a request: the steps must be quicker)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    seen = b""
    while not seen.endswith(b"}"):
        chunk = await reader.read(4096)
        if not chunk:
            raise ConnectionError(f"closed: {seen[:200]!r}")
        seen += chunk
    ready.append(writer)
    return asyncio.ensure_future(asyncio.sleep(0))


def cpu_seconds(pid):
    """User and system CPU the process used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def posts_elsewhere(rip, n):
    """Server CPU per comment posted to a page no stream follows, in microseconds, over `n` posts."""
    before = cpu_seconds(rip.proc.pid)
    for _ in range(n):
        rip.post("/elsewhere/", run.TEXT)
    return round((cpu_seconds(rip.proc.pid) - before) / n * 1e6)


async def main_async(args, rip):
    ready, arrived, followers = [], [], []
    pid = rip.proc.pid
    loop = asyncio.get_running_loop()
    quiet_cpu = None if args.idle else await loop.run_in_executor(None, posts_elsewhere, rip, args.posts)
    steps = [{"streams": 0, "rss_mb": round(run.rss_kb([pid]) / 1024, 1)}]
    opened = 0
    while opened < args.streams:
        n = min(args.step, args.streams - opened)
        started = time.perf_counter()
        # At most 500 connects in flight: a burst far beyond the listen queue measures the kernel's SYN
        # cookies, not the server.
        gate = asyncio.Semaphore(500)

        async def one():
            async with gate:
                followers.append(await (open_idle if args.idle else open_stream)(rip.port, ready, arrived))
        await asyncio.gather(*(one() for _ in range(n)))
        opened += n
        took = time.perf_counter() - started
        await asyncio.sleep(2)
        steps.append({"streams": opened, "rss_mb": round(run.rss_kb([pid]) / 1024, 1),
                      "opened_per_s": round(n / took)})
        run.log(f"live: {steps[-1]}")
    if args.idle:
        for w in ready:
            w.close()
        return {"binary": run.RIPOSTE, "idle_connections": len(ready), "rss_steps": steps,
                "rss_per_connection_kib": per_kib(steps)}
    # One comment; every stream gets comment.created.
    cpu_before = cpu_seconds(pid)
    with run.Sampler(pid) as peak:
        posted = time.perf_counter()
        await asyncio.get_running_loop().run_in_executor(None, rip.post, PAGE, run.TEXT)
        answered = time.perf_counter()
        deadline = answered + 60
        while len(arrived) < len(ready) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
    fanout_cpu_ms = round((cpu_seconds(pid) - cpu_before) * 1000)
    ms = sorted((t - answered) * 1000 for t in arrived)
    busy_cpu = await loop.run_in_executor(None, posts_elsewhere, rip, args.posts)
    for w in ready:
        w.close()
    return {
        "binary": run.RIPOSTE,
        "streams": len(ready),
        "rss_steps": steps,
        "rss_per_stream_kib": per_kib(steps),
        "rss_peak_during_fanout_mb": round(peak.peak / 1024, 1),
        "post_answered_ms": round((answered - posted) * 1000, 1),
        "server_cpu_us_per_post_elsewhere": {"no_streams": quiet_cpu, "with_streams": busy_cpu},
        "fanout": {
            "received": len(ms),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 1) if ms else None,
            "last_ms": round(ms[-1], 1) if ms else None,
            # The server's CPU from the POST until every stream had the event (the post itself included).
            "server_cpu_ms": fanout_cpu_ms,
        },
    }


def per_kib(steps):
    """RSS added per connection from the first step to the last, in KiB."""
    return round((steps[-1]["rss_mb"] - steps[0]["rss_mb"]) * 1024 / max(1, steps[-1]["streams"]), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=10000)
    ap.add_argument("--step", type=int, default=2000)
    ap.add_argument("--posts", type=int, default=1000,
                    help="comments posted to a page no stream follows, before and with the streams open")
    ap.add_argument("--idle", action="store_true",
                    help="keep-alive connections idle after one /healthz instead of streams: what a connection costs")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="riposte-live-")
    # Room for the streams and a few more connections; one client address holds them all here.
    conns = args.streams * 4 // 3 + 64
    extra = (f"max_connections = {conns}\nmax_connections_per_peer = {conns}\n"
             f"[live]\nmax_connections = {args.streams}\nper_address = {args.streams}\n")
    rip = run.Riposte(tmp, extra=extra)
    try:
        rip.post(PAGE, run.TEXT)
        out = asyncio.run(main_async(args, rip))
    finally:
        rip.stop()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
