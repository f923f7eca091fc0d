"""A browser-like HTTP client for the console tests: keeps cookies, does not follow redirects, reads the
CSRF token from the page it got, and can claim another client address (the test server trusts one proxy)."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')
_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int
    headers: Any
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return str(self.headers.get("Location") or "")


@dataclass
class Client:
    base: str
    address: str = "10.0.0.1"
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    csrf: str = ""

    def request(self, method: str, path: str, form: dict[str, Any] | None = None, body: Any = None,
                headers: dict[str, str] | None = None, timeout: float = 15, raw: bytes | None = None) -> Reply:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        data = raw  # a body encoded by the caller (multipart uploads), with its Content-Type in `headers`
        all_headers = {"X-Forwarded-For": self.address, **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()  # a list value: a field given several times
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with opener.open(req, timeout=timeout) as response:
                reply = Reply(response.status, response.headers, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.headers, error.read().decode("utf-8", "replace"))
        found = _CSRF.search(reply.body)
        if found and "/sign-in" not in path:
            self.csrf = found.group(1)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, form=form, **kwargs)

    def sign_in(self, name: str, password: str) -> Reply:
        page = self.get("/console/sign-in")
        token = _FORM_CSRF.search(page.body)
        form = {"name": name, "password": password, "csrf_token": token.group(1) if token else "",
                "next": "/console/"}
        reply = self.post("/console/sign-in", form)
        if reply.status == 303:
            self.get("/console/")  # picks up the session's CSRF token, as a browser landing on the page
        return reply

    def session_cookie(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "console_session"), None)
