"""HAProxy in front of the Rasa servers: configuration rendered from deploy/haproxy/ and checked by
`haproxy -c` before it is used."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import urllib.request
from pathlib import Path
from string import Template

from bot.paths import ROOT
from bot.production.config import ProductionConfig

TEMPLATE = ROOT / "deploy" / "haproxy" / "haproxy.cfg.template"
INSTALL_HINT = "HAProxy is missing: `make run-production` installs it as root, else `sudo apt-get install haproxy`."


def haproxy_binary() -> str:
    path = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not path:
        raise FileNotFoundError(INSTALL_HINT)
    return path


def render(config: ProductionConfig, check_interval: str = "2s") -> str:
    rest = [f"    server rasa{i} {config.bind_address}:{port} check"
            for i, port in enumerate(config.rasa_ports, start=1)]
    sockets = [f"    server rasa{i} {config.bind_address}:{port} check cookie rasa{i}"
               for i, port in enumerate(config.rasa_ports, start=1)]
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        public_bind=config.public_bind_address, public_port=config.public_port,
        stats_bind=config.bind_address, stats_port=config.stats_port, check_interval=check_interval,
        rest_servers="\n".join(rest), socketio_servers="\n".join(sockets),
    )


def write_config(config: ProductionConfig, target: Path) -> Path:
    """Renders the configuration to `target` and lets HAProxy check it; raises with HAProxy's message."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(config), encoding="utf-8")
    result = subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError(f"HAProxy rejects {target}: {result.stderr or result.stdout}")
    return target


def command(config_file: Path) -> list[str]:
    return [haproxy_binary(), "-db", "-f", str(config_file)]  # foreground: supervised like the other servers


def server_states(config: ProductionConfig, backend: str = "rasa_rest") -> dict[str, dict[str, str]]:
    """Each server's row of the status page (status UP/DOWN, sessions served) by server name."""
    url = f"http://{config.bind_address}:{config.stats_port}/;csv"
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode().lstrip("# ")
    return {row["svname"]: row for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")}
