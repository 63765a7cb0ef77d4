"""The ambiguity rule against real sockets (no mocks): only a refused connection proves that a
write never reached Konnect."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from konnect_admin.konnect import KonnectClient, KonnectUnavailable

Handler = Callable[[socket.socket], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], int]]:
    listeners: list[socket.socket] = []

    def start(handler: Handler) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listeners.append(listener)

        def run() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                conn.recv(65536)
                handler(conn)

        threading.Thread(target=run, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for listener in listeners:
        listener.close()


def _client(make_client: Any, port: int) -> KonnectClient:
    client: KonnectClient = make_client(
        base_url=f"http://127.0.0.1:{port}/", timeout=(1.0, 0.3), max_retries=0
    )
    cache.set(client._token_key, "cached-token-for-socket-tests-000000")  # no token call
    return client


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def _silent(conn: socket.socket) -> None:
    time.sleep(0.6)
    conn.close()


@pytest.mark.parametrize("handler", [_reset, _silent], ids=["reset", "no answer"])
def test_a_write_that_reached_the_server_is_ambiguous(
    make_client: Any, serve: Callable[[Handler], int], handler: Handler
) -> None:
    client = _client(make_client, serve(handler))
    with pytest.raises(KonnectUnavailable) as caught:
        client.shipments_confirm([{"orderId": "1"}])
    assert caught.value.ambiguous
    assert "may or may not have been applied" in str(caught.value)


def test_a_refused_connection_is_not_ambiguous(make_client: Any) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()  # nothing listens there now
    client = _client(make_client, port)
    with pytest.raises(KonnectUnavailable) as caught:
        client.shipments_confirm([{"orderId": "1"}])
    assert not caught.value.ambiguous
    assert str(caught.value) == "Could not connect to Konnect"
