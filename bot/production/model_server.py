"""Serves the published model to the Rasa servers (endpoints `models:`), so images never contain a model.

Rasa polls the URL every `wait_time_between_pulls` seconds with `If-None-Match: <ETag of its model>`; this
server answers 304 while the published model is the same and the new file (200, new ETag) once another is
published. Publishing is an atomic rename of a trained model to MODEL_DIR/published.tar.gz (see README).
Requests need `?token=MODEL_SERVER_TOKEN` (Rasa's endpoint `token:`): models contain the training data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, empty, file, json

PUBLISHED = "published.tar.gz"


def etag(path: Path) -> str:
    """Content hash, cached per (size, mtime): cheap to answer every poll."""
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _etags.get(path)
    if cached and cached[0] == key:
        return cached[1]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    _etags[path] = (key, digest.hexdigest()[:32])
    return _etags[path][1]


_etags: dict[Path, tuple[tuple[int, int], str]] = {}


def create_app(model_dir: Path, token: str) -> Sanic:
    app = Sanic("model_server")

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"published": (model_dir / PUBLISHED).exists()})

    @app.get("/models/published.tar.gz")
    async def model(request: Request) -> HTTPResponse:
        if not hmac.compare_digest((request.args.get("token") or "").encode(), token.encode()):
            return json({"error": "unauthorized"}, status=401)
        path = model_dir / PUBLISHED
        if not path.exists():
            return json({"error": "no model published yet"}, status=404)
        tag = etag(path)
        if request.headers.get("if-none-match", "").strip('"') == tag:
            return empty(status=304, headers={"ETag": tag})
        return await file(str(path), mime_type="application/gzip", headers={"ETag": tag})

    return app


def main() -> None:
    from bot.settings import check_secret

    token = check_secret("MODEL_SERVER_TOKEN", os.environ.get("MODEL_SERVER_TOKEN"))
    app = create_app(Path(os.environ.get("MODEL_DIR", "models")), token)
    app.run(host=os.environ["BIND_ADDRESS"], port=int(os.environ.get("MODEL_SERVER_PORT", "8000")),
            workers=1, access_log=False, motd=False)
