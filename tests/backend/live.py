"""A real uvicorn server in a thread (for concurrency, sockets and headers that TestClient
cannot show), with the app factory and a fake or demo predictor; stopped by the context."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from backend import Settings, create_app


def bound_socket() -> socket.socket:
    """A listening-ready socket on a free loopback port, bound once and kept (asking for a free
    port number and binding it later races with anything else that takes it meanwhile)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def live_server(settings: Settings, predictor: Any) -> Iterator[str]:
    """Serve ``create_app(settings)`` on a free loopback port; yields the base URL."""
    sock = bound_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(settings, lambda _: predictor), host="127.0.0.1", port=port,
                            log_level="warning", server_header=False, limit_concurrency=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
