"""The production model server (the project's one, bot.lifecycle.model_server, over MODEL_REGISTRY_DIR)
answers Rasa's model polling: the published version with its model id as ETag, 304 while unchanged, the
new one once another version is published; never without the token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.lifecycle.registry import Registry
from bot.local_servers import free_port
from bot.paths import ROOT
from tests.lifecycle.test_registry import fake_model

TOKEN = "model-token-0123456789abcdefghij"


def get(url: str, etag: str | None = None) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("ETag")


def test_published_model_is_served_with_etag_polling(tmp_path: Path, locales_copy: Path) -> None:
    """`python -m bot.production.serve models` (the Kubernetes model server) over a registry folder."""
    port = free_port()
    registry = Registry(tmp_path / "versions")
    env = {**os.environ, "MODEL_REGISTRY_DIR": str(registry.folder), "MODEL_SERVER_TOKEN": TOKEN,
           "BIND_ADDRESS": "127.0.0.1", "MODEL_SERVER_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "bot.production.serve", "models"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/model?token={TOKEN}"
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
        one = registry.create(fake_model(tmp_path / "one.tar.gz", "model-one"), None, locales_copy)
        registry.set_current(one, "publish")
        status, body, etag = get(url)
        assert (status, body, etag) == (200, one.model.read_bytes(), "model-one")
        assert get(f"{base}/model")[0] == 401
        assert get(f"{base}/model?token=wrong")[0] == 401
        assert get(url, etag)[0] == 304  # unchanged: Rasa keeps its model
        two = registry.create(fake_model(tmp_path / "two.tar.gz", "model-two"), None, locales_copy)
        registry.set_current(two, "publish")
        status, body, new_etag = get(url, etag)
        assert (status, body, new_etag) == (200, two.model.read_bytes(), "model-two")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_model_server_refuses_to_start_without_a_strong_token(tmp_path: Path) -> None:
    env = {**os.environ, "MODEL_REGISTRY_DIR": str(tmp_path), "MODEL_SERVER_TOKEN": "changeme",
           "BIND_ADDRESS": "127.0.0.1", "MODEL_SERVER_PORT": str(free_port())}
    done = subprocess.run([sys.executable, "-m", "bot.production.serve", "models"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "MODEL_SERVER_TOKEN" in done.stderr
