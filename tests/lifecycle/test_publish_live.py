"""Publishing to a running Rasa server while a customer keeps writing: no failed or empty reply, the new
model serves afterwards; a model that cannot load is rolled back.

Needs two models: TEST_MODEL or the model matching the data (the serving one), and a new one: TEST_NEW_MODEL,
or else the serving model repacked under a new model id (`new_version_of`). The switch is under test here,
not training: tests/editor/test_editor_loop_live.py publishes a model it trained itself.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from bot.lifecycle import model_server
from bot.lifecycle.publish import publish, serving_model_id, wait_for_model
from bot.lifecycle.registry import Registry
from bot.local_servers import MODEL, TOKEN, Servers, free_port, http
from bot.runner import rasa_command, service_env

ROOT = Path(__file__).resolve().parents[2]
PASSING = {lang: {"intent_accuracy": 99.0, "faq_topic_accuracy": 99.0} for lang in ("de", "ro", "nl", "es")}
QUALITY = {"floors": {lang: {"intent_accuracy": 50, "faq_topic_accuracy": 50} for lang in PASSING},
           "max_drop": 50.0, "smoke_min_correct": 0.6, "switch_timeout_s": 900}
QUESTIONS = [("Wie bekomme ich eine Kopie meines Vertrags?", "de"), ("Cum pot obține o copie a contractului?", "ro"),
             ("Hoe kan ik een kopie van mijn contract krijgen?", "nl"), ("¿Cómo consigo una copia del contrato?", "es")]


def new_version_of(model: Path, target: Path) -> Path:
    """The same trained graph under a new model id: for Rasa and the model server another model (its /status
    and ETag change), built in seconds instead of a training's minutes."""
    with tarfile.open(model, "r:gz") as source, tarfile.open(target, "w:gz", compresslevel=1) as out:
        for member in source:
            data = source.extractfile(member) if member.isfile() else None
            if member.name.lstrip("/") == "metadata.json" and data is not None:
                metadata = json.loads(data.read())
                metadata["model_id"] = uuid.uuid4().hex
                body = json.dumps(metadata).encode()
                member.size = len(body)
                out.addfile(member, io.BytesIO(body))
            else:
                out.addfile(member, data)
    return target


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    serving = MODEL  # TEST_MODEL, else the model matching the data (`make test` trains it first)
    if not serving.is_file():
        pytest.skip(f"no trained model at {serving} (set TEST_MODEL)")
    if os.environ.get("TEST_NEW_MODEL"):
        return serving, Path(os.environ["TEST_NEW_MODEL"])
    return serving, new_version_of(serving, tmp_path_factory.mktemp("new") / "new-version.tar.gz")


def broken_model(path: Path) -> Path:
    """An archive with Rasa's metadata and nothing else: Rasa fails to load it and keeps its model."""
    with tarfile.open(path, "w:gz") as tar:
        body = json.dumps({"model_id": "broken-model"}).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return path


class Customer(threading.Thread):
    """Keeps sending FAQ questions over the REST channel and records every failed or empty reply."""

    def __init__(self, rasa: str) -> None:
        super().__init__(daemon=True)
        self.rasa = rasa
        self.stop = threading.Event()
        self.sent = 0
        self.failures: list[tuple[str, object, object]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            text, language = QUESTIONS[self.sent % len(QUESTIONS)]
            try:
                status, replies = http("POST", f"{self.rasa}/webhooks/rest/webhook",
                                       {"sender": f"customer-{self.sent}", "message": text,
                                        "metadata": {"language": language}}, timeout=600)
            except OSError as error:  # refused connection, reset, timeout: a failed customer request
                status, replies = 0, repr(error)
            self.sent += 1
            if status != 200 or not replies or not any(r.get("text") for r in replies):
                self.failures.append((text, status, replies))
            time.sleep(0.2)


def test_publish_under_traffic_then_broken_model_rolls_back(models: tuple[Path, Path], tmp_path: Path) -> None:
    serving, new = models
    registry = Registry(tmp_path / "versions")
    v1 = registry.create(serving, PASSING)
    registry.set_current(v1, "publish")
    port, token = free_port(), "model-server-token-0123456789"
    models_server = model_server.start(port, registry, token)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text((ROOT / "endpoints.yml").read_text(encoding="utf-8") + (
        f"\nmodels:\n  url: http://127.0.0.1:{port}/model\n  token: {token}\n  wait_time_between_pulls: 2\n"),
        encoding="utf-8")
    servers = Servers(f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path)
    customer = None
    try:
        servers.start(("actions",))
        env = service_env(servers.settings, dict(os.environ))
        log = open(tmp_path / "rasa.log", "ab")
        servers.processes["rasa"] = subprocess.Popen(
            rasa_command(servers.settings, str(serving), str(endpoints)), cwd=ROOT, env=env, stdout=log, stderr=log)
        assert wait_for_model(servers.rasa, TOKEN, v1.model_id, timeout=600), "Rasa did not start on v1"

        customer = Customer(servers.rasa)
        customer.start()
        v2 = registry.create(new, PASSING)
        outcome = publish(v2, registry, [servers.rasa], TOKEN, QUALITY)
        time.sleep(3)  # a few more turns on the new model
        customer.stop.set()
        customer.join(timeout=600)
        assert outcome.ok, outcome.messages
        assert serving_model_id(servers.rasa, TOKEN) == v2.model_id
        assert customer.failures == [] and customer.sent >= 5

        v3 = registry.create(broken_model(tmp_path / "broken.tar.gz"), PASSING)
        refused = publish(v3, registry, [servers.rasa], TOKEN, {**QUALITY, "switch_timeout_s": 20})  # pulled every 2 s
        assert not refused.ok and refused.version == v2.id
        assert registry.current() == v2 and serving_model_id(servers.rasa, TOKEN) == v2.model_id
        assert any("did not load v3" in m for m in refused.messages)
    finally:
        if customer is not None:
            customer.stop.set()
        servers.stop()
        models_server.shutdown()
