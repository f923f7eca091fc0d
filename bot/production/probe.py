"""Readiness of a Rasa server for Kubernetes: up *and* a model loaded (pulled from the model server).

`python -m bot.production.probe` exits 0 when /status (authenticated) names a model; "/" alone answers
before any model is loaded. Used as the Rasa pods' readiness probe (deploy/kubernetes/rasa.yaml).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def ready(base_url: str, token: str) -> bool:
    url = f"{base_url}/status?{urllib.parse.urlencode({'token': token})}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return bool(status.get("model_id") or status.get("model_file"))


def main() -> int:
    port = os.environ.get("RASA_PORT", "5005")
    return 0 if ready(f"http://localhost:{port}", os.environ.get("RASA_AUTH_TOKEN", "")) else 1


if __name__ == "__main__":
    sys.exit(main())
