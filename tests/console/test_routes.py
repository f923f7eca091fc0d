"""Every console route, found by enumerating the app's router (new routes are covered automatically): public
only if listed, otherwise refused to anonymous visitors and to signed-in users of the wrong role."""

from __future__ import annotations

import re

import pytest

from bot.console.auth import PUBLIC_ROUTES
from tests.console.conftest import ACCOUNTS, Console

ROLES = sorted({role for role, _ in ACCOUNTS.values()})
ACCOUNT_OF_ROLE = {role: name for name, (role, _) in reversed(list(ACCOUNTS.items()))}


def console_routes() -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(method, concrete path, roles) of every console route; roles None: the route is public."""
    from sanic import Sanic

    from bot.web import create_app

    Sanic.test_mode = True  # several apps named alike in one test process
    app = create_app("http://127.0.0.1:5005")
    found = []
    for route in app.router.routes:
        path = "/" + route.path
        if not (path == "/console" or path.startswith("/console/")) or path.startswith("/console/static/"):
            continue
        concrete = re.sub(r"<[^>]+>", "1", path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, concrete, getattr(route.handler, "console_roles", None)))
    return found


ROUTES = console_routes()


def test_the_enumeration_found_the_console() -> None:
    paths = {path for _, path, _ in ROUTES}
    assert {"/console", "/console/sign-in", "/console/sign-out"} <= paths


@pytest.mark.parametrize("method, path, roles", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_route_is_guarded(console: Console, method: str, path: str, roles: tuple[str, ...] | None) -> None:
    if roles is None:
        assert path in PUBLIC_ROUTES, f"{method} {path} has no require_role and is not listed as public"
        return
    anonymous = console.client("10.9.0.1").request(method, path, form={} if method != "GET" else None)
    if method == "GET" and not path.startswith("/console/api/"):
        assert anonymous.status == 302 and anonymous.location.startswith("/console/sign-in")
    else:
        assert anonymous.status == 401
    for role in ROLES:
        if roles and role not in roles:
            client = console.shared(ACCOUNT_OF_ROLE[role])
            reply = client.request(method, path, form={"csrf_token": client.csrf} if method != "GET" else None)
            assert reply.status == 403, (role, reply.status)
            assert "CSRF" not in reply.body  # refused for the role, not for a missing token


@pytest.mark.parametrize("method, path, roles", [r for r in ROUTES if r[0] != "GET" and r[2] is not None],
                         ids=[f"{m} {p}" for m, p, r in ROUTES if m != "GET" and r is not None])
def test_state_changing_route_needs_csrf(console: Console, method: str, path: str,
                                         roles: tuple[str, ...]) -> None:
    role = roles[0] if roles else "agent"
    client = console.shared(ACCOUNT_OF_ROLE[role])
    for form in ({}, {"csrf_token": "wrong"}):
        reply = client.request(method, path, form=form)
        assert reply.status == 403 and "CSRF" in reply.body
