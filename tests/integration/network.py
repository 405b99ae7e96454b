"""A slow network in front of the sandbox, for tests of functions that must wait for it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

#: A pause this long between two chunks of an answer means a new answer begins.
_NEW_ANSWER_AFTER_SECONDS = 0.2


def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
    """Copy ``source`` to ``target``; with ``delay``, hold the first chunk of every answer
    (bytes after a quiet moment) back by that long, as a slow service answers late."""
    last = 0.0
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            now = time.monotonic()
            if delay and now - last > _NEW_ANSWER_AFTER_SECONDS:
                time.sleep(delay)
            last = time.monotonic()
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def delaying_proxy(upstream: str, delay_seconds: float) -> Iterator[str]:
    """A TCP relay on a free loopback port to ``upstream`` (a URL) that delivers each answer
    ``delay_seconds`` late; yields its URL. Requests pass at once."""
    target = urlsplit(upstream)
    address = (target.hostname or "127.0.0.1", target.port or 80)
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)

        def serve() -> None:
            while not stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=_relay, args=(client,), daemon=True).start()

        def _relay(client: socket.socket) -> None:
            with client, socket.create_connection(address) as remote:
                asking = threading.Thread(target=_pipe, args=(client, remote, 0.0), daemon=True)
                asking.start()
                _pipe(remote, client, delay_seconds)
                asking.join()

        acceptor = threading.Thread(target=serve, daemon=True)
        acceptor.start()
        try:
            yield f"http://127.0.0.1:{server.getsockname()[1]}"
        finally:
            stop.set()
            acceptor.join()
