"""The model server Rasa pulls the published model from (endpoints.yml `models:`).

GET /model answers the published version's archive with its Rasa model id as ETag, or 304 when the
caller's If-None-Match already names it (Rasa sends its current fingerprint every
`wait_time_between_pulls` seconds). With MODEL_SERVER_TOKEN set, requests need `?token=`.

The one model server of the project: `make run` starts it for the embedded default, and production
(`python -m bot.production.serve models`, the Kubernetes model-server Deployment) runs it on BIND_ADDRESS
over the registry in MODEL_REGISTRY_DIR, where `python -m bot model publish` / `rollback` switch versions.
"""

from __future__ import annotations

import hmac
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from bot.lifecycle.registry import Registry


def make_handler(registry: Registry, token: str | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            if url.path == "/health":  # for the supervisor: up, without sending a model
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if url.path != "/model":
                self.send_error(404)
                return
            given = (parse_qs(url.query).get("token") or [""])[0]
            if token and not hmac.compare_digest(given, token):
                self.send_error(401)
                return
            version = registry.current()
            if version is None:
                self.send_error(404, "no published version")
                return
            etag = version.model_id
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            with version.model.open("rb") as body:  # streamed: a model is 100 MB
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("filename", "model.tar.gz")
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(os.fstat(body.fileno()).st_size))
                self.end_headers()
                shutil.copyfileobj(body, self.wfile, 1 << 20)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base)
            pass  # Rasa polls every few seconds: no line per poll

    return Handler


def start(port: int, registry: Registry | None = None, token: str | None = None,
          host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serves in a background thread; `shutdown()` stops it."""
    server = ThreadingHTTPServer((host, port), make_handler(registry or Registry(), token))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(port: int, host: str | None = None) -> None:
    """In the foreground, on BIND_ADDRESS (default loopback), for the registry of MODEL_REGISTRY_DIR."""
    host = host or os.environ.get("BIND_ADDRESS") or "127.0.0.1"
    server = ThreadingHTTPServer((host, port), make_handler(Registry(), os.environ.get("MODEL_SERVER_TOKEN") or None))
    print(f"Model server on http://{host}:{port}/model (the published version)", flush=True)
    server.serve_forever()
