"""A tiny HTTP server on a thread that stands in for an app's event URL: it records what Zoom (the emulator)
POSTs and answers as the test tells it, so deliveries go over real HTTP, timeouts included."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    # Seconds to wait before answering (a slow endpoint).
    delay: float = 0.0


Responder = Callable[[Received], Reply]


@dataclass
class Capture:
    url: str
    received: list[Received] = field(default_factory=list)
    # Answers in order; the last one repeats. A callable computes the answer from the request.
    replies: list[Reply | Responder] = field(default_factory=lambda: [Reply()])
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_with(self, *replies: Reply | Responder | int) -> None:
        self.replies = [Reply(r) if isinstance(r, int) else r for r in replies]

    def _reply_for(self, request: Received) -> Reply:
        with self.lock:
            index = len(self.received)
            self.received.append(request)
            chosen = self.replies[min(index, len(self.replies) - 1)]
        return chosen if isinstance(chosen, Reply) else chosen(request)


def signature_ok(secret: str, request: Received) -> bool:
    """Zoom's recipe, computed here independently of the emulator's ``sign``."""
    timestamp = request.headers["x-zm-request-timestamp"]
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + request.body, hashlib.sha256)
    return hmac.compare_digest(request.headers["x-zm-signature"], "v0=" + digest.hexdigest())


@pytest.fixture(name="capture")
def capture_fixture() -> Iterator[Capture]:
    holder: dict[str, Capture] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            headers = {key.lower(): value for key, value in self.headers.items()}
            request = Received(headers, self.rfile.read(length), time.monotonic())
            reply = holder["capture"]._reply_for(request)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:
                # The emulator gave up waiting (a timeout test) and closed the connection.
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["capture"] = Capture(url=f"http://127.0.0.1:{server.server_address[1]}/webhooks/zoom/")
    # shutdown() waits for the serving loop to look at its flag, which it does once per poll interval
    # (half a second by default, paid by every test that uses the capture).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield holder["capture"]
    finally:
        server.shutdown()
        server.server_close()
