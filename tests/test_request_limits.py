"""Every HTTP server of the project refuses an oversized body with 413 and keeps serving."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from bot.http_limits import max_request_bytes
from bot.local_servers import ACTION_TOKEN, Servers, http


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("limits")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=Path(folder))
    running.start(("actions", "web"))
    yield running
    running.stop()


def post_raw(url: str, size: int, headers: dict[str, str] | None = None, method: str = "POST") -> int:
    """Status of a request announcing a `size`-byte body; the server may answer before the body is sent."""
    parts = urlsplit(url)
    head = [f"{method} {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json",
            f"Content-Length: {size}", *(f"{k}: {v}" for k, v in (headers or {}).items()), "", ""]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall("\r\n".join(head).encode())
        try:
            sock.sendall(b" " * min(size, 1 << 20))
        except OSError:
            pass  # the server closed the connection after answering 413
        status_line = sock.recv(1024).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def test_action_server_refuses_an_oversized_body(servers: Servers) -> None:
    limit = max_request_bytes("ACTION_MAX_REQUEST_BYTES")
    auth = {"Authorization": f"Bearer {ACTION_TOKEN}"}
    assert post_raw(f"{servers.actions}/webhook", limit + 1, auth) == 413
    assert post_raw(f"{servers.actions}/webhook", 20 * 1024 * 1024, auth) == 413
    assert http("GET", f"{servers.actions}/health")[0] == 200


def test_web_server_refuses_an_oversized_body(servers: Servers) -> None:
    limit = max_request_bytes("WEB_MAX_REQUEST_BYTES")
    # The web server has no POST route: a body on any route counts.
    assert post_raw(f"{servers.web}/widget/config.json", limit + 1, method="GET") == 413
    assert post_raw(f"{servers.web}/widget/config.json", limit, method="GET") == 200
    assert http("GET", f"{servers.web}/widget/config.json")[0] == 200


def test_limits_are_settings_and_refuse_nonsense() -> None:
    assert max_request_bytes("WEB_MAX_REQUEST_BYTES", {"WEB_MAX_REQUEST_BYTES": "2048"}) == 2048
    with pytest.raises(ValueError):
        max_request_bytes("WEB_MAX_REQUEST_BYTES", {"WEB_MAX_REQUEST_BYTES": "10"})
