"""The HAProxy configuration rendered from deploy/haproxy/: accepted by HAProxy itself, every Rasa server
health-checked in both backends, socket.io sticky, X-Forwarded-For set by the balancer only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.production import haproxy
from bot.production.config import ProductionConfig

TOKENS = {"RASA_AUTH_TOKEN": "r" * 32, "ACTION_SERVER_TOKEN": "a" * 32, "REQUEST_KEY_SECRET": "k" * 32}


def config(**env: str) -> ProductionConfig:
    return ProductionConfig.from_env(3, {**TOKENS, **env})


def test_every_server_is_checked_and_socketio_is_sticky() -> None:
    text = haproxy.render(config(BIND_ADDRESS="10.0.0.5", PUBLIC_BIND_ADDRESS="0.0.0.0", PUBLIC_PORT="443",
                                 RASA_BASE_PORT="6000"))
    for i, port in enumerate((6000, 6001, 6002), start=1):
        assert f"server rasa{i} 10.0.0.5:{port} check\n" in text + "\n"
        assert f"server rasa{i} 10.0.0.5:{port} check cookie rasa{i}" in text
    assert "bind 0.0.0.0:443" in text
    assert "127.0.0.1" not in text  # every address comes from the settings
    socketio = text.split("\nbackend rasa_socketio")[1].split("listen stats")[0]
    assert "balance source" in socketio and "cookie SRVID insert" in socketio and "option httpchk GET /" in socketio
    frontend = text.split("frontend public")[1].split("\nbackend")[0]
    assert frontend.index("del-header X-Forwarded-For") < frontend.index("option forwardfor")


@pytest.mark.skipif(not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists(),
                    reason="haproxy is not installed (make run-production installs it)")
def test_haproxy_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    assert haproxy.write_config(config(), tmp_path / "haproxy.cfg").exists()


def test_settings_come_from_the_environment() -> None:
    c = config(CORS_ORIGINS="https://www.example.com, https://shop.example.com", PUBLIC_RASA_URL="https://chat.example.com")
    assert c.cors_origins == ("https://www.example.com", "https://shop.example.com")
    assert c.public_rasa_url == "https://chat.example.com"
    assert c.base.database_url.startswith("postgresql://")
    with pytest.raises(ValueError):
        ProductionConfig.from_env(0, TOKENS)
