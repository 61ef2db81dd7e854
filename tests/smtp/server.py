#!/usr/bin/env python3
"""A real SMTP server for riposte's tests (aiosmtpd), on 127.0.0.1 only.

Writes each received message to --dir as one file (written under a temporary name, then renamed, so
that a reader never sees half a message), named so that sorting the names gives arrival order.
Answers 550 to RCPT TO addresses whose local part starts with "bounce". Prints "listening PORT" on
stdout once it accepts connections, and exits on SIGTERM or when its stdin closes.
"""

import argparse
import itertools
import os
import signal
import socket
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.count)
        name = "%09d-%d.eml" % (n, time.time_ns())
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


class BoundController(Controller):
    """A Controller serving a socket bound beforehand: port 0 takes a free port with no race."""

    def __init__(self, handler, sock, **kwargs):
        self.sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--dir", required=True, help="where received messages are written")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(100)
    port = sock.getsockname()[1]
    controller = BoundController(Handler(args.dir), sock, decode_data=False, enable_SMTPUTF8=True)
    controller.start()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin():
        # The test holds our stdin; when it ends (also when it dies), so do we.
        while sys.stdin.buffer.read(4096):
            pass
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("listening %d" % port, flush=True)
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
