"""Versions (model + locales), publish/rollback history, quality gates, and the model server's ETag protocol."""

from __future__ import annotations

import io
import json
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.lifecycle import model_server
from bot.lifecycle.publish import gate
from bot.lifecycle.registry import Registry

QUALITY = {"floors": {"de": {"intent_accuracy": 90, "faq_topic_accuracy": 85}}, "max_drop": 2.0}


def fake_model(path: Path, model_id: str) -> Path:
    """A tar.gz with the metadata.json Rasa writes (only the id matters to the registry)."""
    with tarfile.open(path, "w:gz") as tar:
        body = json.dumps({"model_id": model_id}).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return path


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "versions")


def test_version_keeps_model_and_content(registry: Registry, tmp_path: Path, locales_copy: Path) -> None:
    version = registry.create(fake_model(tmp_path / "a.tar.gz", "id-a"), {"de": {"intent_accuracy": 95}}, locales_copy)
    assert version.id == "v1" and version.model_id == "id-a"
    assert (version.locales / "ro-RO" / "locale.yml").read_text() == (locales_copy / "ro-RO" / "locale.yml").read_text()
    # The same model with the same content is the same version; changed content is a new one.
    assert registry.create(tmp_path / "a.tar.gz", None, locales_copy).id == "v1"
    (locales_copy / "ro-RO" / "locale.yml").write_text("changed", encoding="utf-8")
    assert registry.create(tmp_path / "a.tar.gz", None, locales_copy).id == "v2"


def test_rollback_walks_back_through_publishes(registry: Registry, tmp_path: Path, locales_copy: Path) -> None:
    v1, v2, v3 = (registry.create(fake_model(tmp_path / f"{n}.tar.gz", n), None, locales_copy) for n in "abc")
    assert registry.current() is None and registry.previous() is None
    for version in (v1, v2, v3):
        registry.set_current(version, "publish")
    assert registry.previous() == v2
    registry.set_current(v2, "rollback")
    assert registry.current() == v2 and registry.previous() == v1
    assert [v.id for v in registry.versions()] == ["v1", "v2", "v3"]  # nothing pruned


def test_gate_floors_and_margin_against_serving() -> None:
    good = {"de": {"intent_accuracy": 95.0, "faq_topic_accuracy": 90.0}}
    assert gate(good, None, QUALITY) == []
    assert gate({"de": {"intent_accuracy": 89.0, "faq_topic_accuracy": 90.0}}, None, QUALITY) == [
        "de: intent_accuracy 89.0% is below the floor 90%"]
    worse = {"de": {"intent_accuracy": 92.5, "faq_topic_accuracy": 90.0}}
    assert gate(worse, good, QUALITY) == [
        "de: intent_accuracy 92.5% is more than 2.0 points below the serving version's 95.0%"]
    assert gate({}, None, QUALITY) == ["no evaluation: run `python -m bot model evaluate MODEL` first"]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", dict(error.headers)


def test_model_server_serves_the_current_version_with_etag(registry: Registry, tmp_path: Path,
                                                           locales_copy: Path) -> None:
    from bot.local_servers import free_port

    port = free_port()
    server = model_server.start(port, registry, token="model-token-0123456789")
    url = f"http://127.0.0.1:{port}/model?token=model-token-0123456789"
    try:
        assert _get(f"http://127.0.0.1:{port}/health")[0] == 200  # the supervisor's check, no token, no model
        assert _get(url)[0] == 404  # nothing published yet: Rasa keeps what it has
        assert _get(f"http://127.0.0.1:{port}/model?token=wrong")[0] == 401
        version = registry.create(fake_model(tmp_path / "a.tar.gz", "id-a"), None, locales_copy)
        registry.set_current(version, "publish")
        status, body, headers = _get(url)
        assert status == 200 and headers["ETag"] == "id-a" and body == version.model.read_bytes()
        assert _get(url, {"If-None-Match": "id-a"})[0] == 304
        assert _get(url, {"If-None-Match": "id-old"})[0] == 200
    finally:
        server.shutdown()
