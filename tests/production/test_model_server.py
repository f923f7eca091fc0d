"""The model server answers Rasa's model polling: the published model with its ETag, 304 while unchanged,
the new file once another is published; never without the token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.local_servers import free_port
from bot.paths import ROOT

TOKEN = "model-token-0123456789abcdefghij"


def get(url: str, etag: str | None = None) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("ETag")


def test_published_model_is_served_with_etag_polling(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "MODEL_DIR": str(tmp_path), "MODEL_SERVER_TOKEN": TOKEN, "BIND_ADDRESS": "127.0.0.1",
           "MODEL_SERVER_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "bot.production.serve", "models"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/models/published.tar.gz?token={TOKEN}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"{base}/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.3)
        assert get(url)[0] == 404  # nothing published yet: Rasa keeps polling
        (tmp_path / "published.tar.gz").write_bytes(b"model one")
        status, body, etag = get(url)
        assert (status, body) == (200, b"model one") and etag
        assert get(f"{base}/models/published.tar.gz")[0] == 401
        assert get(f"{base}/models/published.tar.gz?token=wrong")[0] == 401
        assert get(url, etag)[0] == 304  # unchanged: Rasa keeps its model
        (tmp_path / "published.tar.gz.tmp").write_bytes(b"model two")
        (tmp_path / "published.tar.gz.tmp").rename(tmp_path / "published.tar.gz")
        status, body, new_etag = get(url, etag)
        assert (status, body) == (200, b"model two") and new_etag != etag
    finally:
        server.terminate()
        server.wait(timeout=20)
