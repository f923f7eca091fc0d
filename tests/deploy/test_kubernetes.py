"""deploy/kubernetes/ validated offline against the Kubernetes schemas bundled with kubernetes-validate, and
the properties the deployment relies on (replicas, probes, limits, affinity, secrets kept out)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSION = "1.28.0"


def documents() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents() if doc["kind"] == kind}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_is_valid_offline(path: Path) -> None:
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_invalid_manifests_are_refused() -> None:  # the validator really checks
    deployment = by_kind("Deployment")["rasa"]
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_rasa_runs_replicated_with_probes_and_a_disruption_budget() -> None:
    rasa = by_kind("Deployment")["rasa"]
    assert rasa["spec"]["replicas"] >= 2
    assert rasa["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    container = rasa["spec"]["template"]["spec"]["containers"][0]
    assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
    assert by_kind("PodDisruptionBudget")["rasa"]["spec"]["minAvailable"] >= 1


def test_every_container_has_requests_limits_and_runs_as_non_root() -> None:
    for kind in ("Deployment", "Job"):
        for name, doc in by_kind(kind).items():
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            for container in pod["containers"]:
                assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
                assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
                assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_socketio_is_sticky_and_rest_is_not() -> None:
    ingresses = by_kind("Ingress")
    socketio = ingresses["rasa-socketio"]
    assert socketio["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert socketio["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/socket.io"
    assert "nginx.ingress.kubernetes.io/affinity" not in ingresses["rasa-rest"]["metadata"]["annotations"]


def test_no_secret_is_committed_and_every_reference_is_documented() -> None:
    assert "Secret" not in {doc["kind"] for doc in documents()}
    example = (ROOT / "deploy" / "kubernetes" / "secrets.example.env").read_text(encoding="utf-8")
    documented = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    for line in example.splitlines():
        if "=" in line and not line.startswith("#") and "TOKEN" in line:
            assert re.fullmatch(r"[A-Z_]+=<[^>]+>", line), line  # placeholders only
    config = by_kind("ConfigMap")["assistant-config"]["data"]
    endpoints = by_kind("ConfigMap")["rasa-endpoints"]["data"]["endpoints.yml"]
    derived = {"REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "AMQP_PORT", "AMQP_USER", "AMQP_PASSWORD"}
    for variable in re.findall(r"\$\{(\w+)\}", endpoints):
        assert variable in config or variable in documented or variable in derived, variable


def test_kubernetes_endpoints_are_the_production_endpoints_plus_the_model_server() -> None:
    production = yaml.safe_load((ROOT / "endpoints.production.yml").read_text(encoding="utf-8"))
    kubernetes = yaml.safe_load(by_kind("ConfigMap")["rasa-endpoints"]["data"]["endpoints.yml"])
    assert kubernetes.pop("models")["url"] == "${MODEL_SERVER_URL}"
    assert kubernetes == production


def test_the_image_builds_from_the_lock_file_as_a_non_root_user_without_a_model() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-deps -r requirements.lock" in dockerfile
    assert re.search(r"^USER 10001", dockerfile, re.M)
    assert "npm ci" in dockerfile
    assert not re.search(r"^COPY .*models", dockerfile, re.M)
