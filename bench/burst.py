#!/usr/bin/env python3
"""Connection bursts: what the kernel's listen queue does with them (bench/RESULTS.md, "connection bursts").

    python3 bench/burst.py server BINARY [N]   # N connects at once (default 3,950) to a riposte binary
    python3 bench/burst.py kernel               # whether this kernel keeps a SYN-cookie connection's
                                                # first segment (no riposte involved)

`server`: N asyncio connects at once from one address, each sending `GET /healthz` in one write; prints how
many were answered 200 and the listen-queue overflows during the burst (`TcpExtListenOverflows`, read with
`nstat` from iproute2). `kernel`: 600 clients connect to a plain listener with a queue of 16 that accepts
nothing for 2 s, so that the kernel answers with SYN cookies; half send their request in four pieces, half in
one; prints how the accepted connections' requests arrived: whole, without their first piece, or not at all.
"""
import asyncio
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def overflows():
    out = subprocess.run(["nstat", "-az", "TcpExtListenOverflows"], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-2])


def server(binary, n):
    d = tempfile.mkdtemp(prefix="riposte-burst-")
    with open(f"{d}/riposte.toml", "w") as f:
        # The default max_connections (4,096): beyond 3,840 open, idle connections are asked to close.
        f.write(f"max_connections_per_peer = {n + 100}\n")
    p = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--database", f"{d}/r.db", "--config",
                          f"{d}/riposte.toml"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))

    async def one():
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
            w.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = await asyncio.wait_for(r.read(100), 30)
            w.close()
            return data.startswith(b"HTTP/1.1 200")
        except (OSError, asyncio.TimeoutError):
            return False

    async def burst():
        before, started = overflows(), time.time()
        answered = sum(await asyncio.gather(*(one() for _ in range(n))))
        print(f"{binary}: {answered} of {n} answered, {overflows() - before} listen-queue overflows, "
              f"{time.time() - started:.2f} s")
    try:
        asyncio.run(burst())
    finally:
        p.kill()


def kernel():
    pieces = [b"GET", b" ", b"/api/v1/threads?site=demo&uri=/", b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]
    whole = b"".join(pieces)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port = srv.getsockname()[1]

    def client(split):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            for part in (pieces if split else [whole]):
                s.send(part)
                time.sleep(0.001)
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
            s.close()
        except OSError:
            pass
    clients = [threading.Thread(target=client, args=(i % 2 == 0,)) for i in range(600)]
    for t in clients:
        t.start()
    time.sleep(2)
    srv.settimeout(5)
    got = []

    def read(c):
        c.settimeout(10)
        data = b""
        while True:
            try:
                d = c.recv(4096)
            except OSError:
                break
            if not d:
                break
            data += d
        got.append(data)
        c.close()
    readers = []
    while True:
        try:
            c, _ = srv.accept()
        except socket.timeout:
            break
        readers.append(threading.Thread(target=read, args=(c,)))
        readers[-1].start()
    for t in readers + clients:
        t.join()
    kinds = {"whole": 0, "without its first piece": 0, "nothing": 0, "other": 0}
    for g in got:
        kind = ("whole" if g == whole else "without its first piece" if g == whole[3:]
                else "nothing" if not g else "other")
        kinds[kind] += 1
    print(f"{len(got)} connections accepted (half of the clients sent four pieces, half one): {kinds}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["server"]:
        server(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3950)
    elif sys.argv[1:2] == ["kernel"]:
        kernel()
    else:
        sys.exit(__doc__)
