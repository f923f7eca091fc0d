"""`make run` serves the published version: the first run publishes, later runs keep the published one."""

from __future__ import annotations

from pathlib import Path

from bot.lifecycle.registry import Registry
from bot.lifecycle.serving import prepare
from tests.lifecycle.test_registry import fake_model

ROOT = Path(__file__).resolve().parents[2]


def test_first_run_publishes_then_restarts_keep_the_published_version(tmp_path: Path) -> None:
    registry = Registry(tmp_path / "versions")
    first = prepare(fake_model(tmp_path / "assistant-a.tar.gz", "id-a"), {}, registry, out=tmp_path / "e.yml")
    assert first.version.id == "v1" and registry.current() == first.version and first.note.startswith("First run")
    endpoints = (tmp_path / "e.yml").read_text(encoding="utf-8")
    assert endpoints.startswith((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert "url: http://127.0.0.1:${MODEL_SERVER_PORT}/model" in endpoints and "token: ${MODEL_SERVER_TOKEN}" in endpoints
    assert len(first.env["MODEL_SERVER_TOKEN"]) == 32  # generated per run when not configured

    later = prepare(fake_model(tmp_path / "assistant-b.tar.gz", "id-b"), {"MODEL_SERVER_TOKEN": "t" * 20}, registry,
                    out=tmp_path / "e.yml")
    assert later.version.id == "v1" and "assistant-b.tar.gz matches the working tree" in later.note
    assert later.env["MODEL_SERVER_TOKEN"] == "t" * 20


def test_action_server_content_follows_the_published_version(tmp_path: Path, locales_copy: Path,
                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.locales import cached_locales

    registry = Registry(tmp_path / "versions")
    v1 = registry.create(fake_model(tmp_path / "a.tar.gz", "id-a"), None, locales_copy)
    path = locales_copy / "ro-RO" / "locale.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("405 8100", "405 8200"), encoding="utf-8")
    v2 = registry.create(fake_model(tmp_path / "b.tar.gz", "id-b"), None, locales_copy)
    monkeypatch.setenv("PUBLISHED_CONTENT", str(registry.folder / "published.json"))
    assert cached_locales()["ro-RO"].facts["support_phone"] == "+40 (0) 21 405 8100"  # nothing published: locales/
    registry.set_current(v2, "publish")
    assert cached_locales()["ro-RO"].facts["support_phone"] == "+40 (0) 21 405 8200"
    registry.set_current(v1, "rollback")
    assert cached_locales()["ro-RO"].facts["support_phone"] == "+40 (0) 21 405 8100"
