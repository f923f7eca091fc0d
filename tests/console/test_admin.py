"""The admin page, over HTTP against the real web server: accounts created with queues and a console
language, bad entries refused in the admin's language, deactivation and password reset ending sessions,
every change audited, and never without an active admin (also under concurrent deactivations, on SQLite
and PostgreSQL). Roles and CSRF of these routes are covered by test_routes."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from bot.console import accounts, i18n, users
from bot.db.engine import session_scope
from bot.db.models import AccountChange, User
from tests.console.client import Client, Reply, _NoRedirect
from tests.console.conftest import PASSWORD, Console

NEW_PASSWORD = "a different long passphrase"


def form(client: Client, **fields: str | list[str]) -> dict:
    return {"csrf_token": client.csrf, **fields}


def post(client: Client, path: str, fields: dict, language: str = "en") -> Reply:
    """A form POST with repeated fields (queues) encoded as a browser does, in the browser's language."""
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(client.jar), _NoRedirect())
    request = urllib.request.Request(client.base + path, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": language,
        "X-Forwarded-For": client.address})
    try:
        with opener.open(request, timeout=15) as response:
            return Reply(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read().decode())


def account(console: Console, name: str) -> User:
    with session_scope(console.database_url) as db:
        user = users.find(db, name)
        assert user is not None
        db.expunge(user)
        return user


def audit(console: Console, name: str) -> list[tuple[str, str]]:
    user_id = account(console, name).id
    with session_scope(console.database_url) as db:
        return [(c.actor, c.action) for c in db.execute(select(AccountChange).where(
            AccountChange.user_id == user_id).order_by(AccountChange.id)).scalars()]


def test_admin_creates_an_agent_who_signs_in_in_their_language(console: Console) -> None:
    root = console.signed_in("root", "10.7.0.1")
    listing = root.get("/console/admin/users")
    assert listing.status == 200 and 'data-account="anna"' in listing.body
    reply = post(root, "/console/admin/users", form(
        root, name="Maria.Lopez", display_name="María L.", role="agent", queues=["contracts-ES", "renewals-ES"],
        language="es", password=PASSWORD, password_repeated=PASSWORD))
    assert reply.status == 303 and re.match(r"/console/admin/users/\d+\?done=created$", reply.location)
    maria = account(console, "maria.lopez")
    assert (maria.role, maria.queues, maria.language, maria.display_name, maria.active) == (
        "agent", ["contracts-ES", "renewals-ES"], "es", "María L.", True)
    assert maria.password_hash.startswith("$argon2id$") and PASSWORD not in maria.password_hash
    assert audit(console, "maria.lopez") == [("admin:root", "created")]
    page = root.get(reply.location)
    assert i18n.catalog("en")["admin.done.created"] in page.body
    home = console.signed_in("maria.lopez", "10.7.0.2").get("/console/queue")
    assert '<html lang="es">' in home.body and i18n.catalog("es")["queue.title"] in home.body


@pytest.mark.parametrize(("fields", "code", "values"), [
    ({"name": "weak", "password": "short", "password_repeated": "short"}, "too_short", {}),
    ({"name": "differ", "password": PASSWORD, "password_repeated": PASSWORD + "!"}, "passwords_differ", {}),
    ({"name": "anna", "password": PASSWORD, "password_repeated": PASSWORD}, "exists", {"name": "anna"}),
    ({"name": "noqueue", "password": PASSWORD, "password_repeated": PASSWORD, "queues": []},
     "agent_needs_queue", {}),
    ({"name": "x", "password": PASSWORD, "password_repeated": PASSWORD}, "name", {}),
    ({"name": "badqueue", "password": PASSWORD, "password_repeated": PASSWORD, "queues": ["support-XX"]},
     "unknown_queue", {"queue": "support-XX"}),
    ({"name": "fabian", "password": "fabian-has-a-long-one", "password_repeated": "fabian-has-a-long-one"},
     "contains_name", {}),
])
def test_bad_entries_are_refused_in_the_admins_language(console: Console, fields: dict, code: str,
                                                         values: dict) -> None:
    root = console.shared("root")
    fields = {"role": "agent", "queues": ["contracts-RO"], **fields}
    reply = post(root, "/console/admin/users", form(root, **fields), language="de-DE")
    assert reply.status == 400
    assert i18n.Texts("de")(f"admin.errors.{code}", **values) in reply.body.replace("&#34;", '"')
    with session_scope(console.database_url) as db:
        assert users.find(db, str(fields["name"])) is None or fields["name"] == "anna"


def test_queues_role_and_language_change_and_deactivation_ends_sessions(console: Console) -> None:
    root = console.shared("root")
    ioana = console.signed_in("ioana", "10.7.0.3")
    assert ioana.get("/console/queue").status == 200
    user_id = account(console, "ioana").id
    reply = post(root, f"/console/admin/users/{user_id}", form(
        root, display_name="Ioana P.", role="agent", queues=["contracts-RO", "renewals-RO"], language="ro"))
    assert reply.status == 303
    changed = account(console, "ioana")
    assert (changed.queues, changed.language, changed.display_name) == (["contracts-RO", "renewals-RO"], "ro",
                                                                         "Ioana P.")
    assert '<html lang="ro">' in ioana.get("/console/queue").body  # her session goes on, in Romanian

    assert post(root, f"/console/admin/users/{user_id}/deactivate", form(root)).status == 303
    assert not account(console, "ioana").active
    assert ioana.get("/console/queue").status == 302  # signed out
    assert console.client("10.7.0.4").sign_in("ioana", PASSWORD).status == 401
    assert post(root, f"/console/admin/users/{user_id}/activate", form(root)).status == 303
    assert console.client("10.7.0.4").sign_in("ioana", PASSWORD).status == 303
    assert [a for _, a in audit(console, "ioana")] == ["updated", "deactivated", "activated"]


def test_password_reset_ends_sessions_and_the_new_one_works(console: Console) -> None:
    root = console.shared("root")
    pablo = console.signed_in("pablo", "10.7.0.5")
    user_id = account(console, "pablo").id
    refused = post(root, f"/console/admin/users/{user_id}/password",
                   form(root, password="pablo-password-123", password_repeated="pablo-password-123"))
    assert refused.status == 400 and i18n.catalog("en")["admin.errors.contains_name"] in refused.body
    reply = post(root, f"/console/admin/users/{user_id}/password",
                 form(root, password=NEW_PASSWORD, password_repeated=NEW_PASSWORD))
    assert reply.status == 303
    assert pablo.get("/console/queue").status == 302
    assert console.client("10.7.0.6").sign_in("pablo", PASSWORD).status == 401
    assert console.client("10.7.0.6").sign_in("pablo", NEW_PASSWORD).status == 303
    assert audit(console, "pablo")[-1] == ("admin:root", "password_reset")
    assert NEW_PASSWORD not in str(audit(console, "pablo"))


def test_the_last_admin_stays(console: Console) -> None:
    root = console.shared("root")
    root_id = account(console, "root").id
    for path, fields in ((f"/console/admin/users/{root_id}/deactivate", {}),
                         (f"/console/admin/users/{root_id}", {"display_name": "Root", "role": "editor",
                                                               "queues": [], "language": ""})):
        reply = post(root, path, form(root, **fields), language="nl-BE")
        assert reply.status == 400 and i18n.catalog("nl")["admin.errors.last_admin"] in reply.body
    current = account(console, "root")
    assert (current.active, current.role) == (True, "admin")
    created = post(root, "/console/admin/users", form(root, name="second.admin", role="admin", queues=[],
                                                      password=PASSWORD, password_repeated=PASSWORD))
    assert created.status == 303
    second_id = account(console, "second.admin").id
    assert post(root, f"/console/admin/users/{second_id}/deactivate", form(root)).status == 303
    assert post(root, f"/console/admin/users/{root_id}/deactivate", form(root)).status == 400
    assert post(root, f"/console/admin/users/{second_id}/activate", form(root)).status == 303
    assert post(root, f"/console/admin/users/{root_id}/deactivate", form(root)).status == 303  # another admin
    assert root.get("/console/admin/users").status == 302  # root's own session ended


def test_two_admins_deactivating_each_other_at_once_leave_one(db_url: str) -> None:
    with session_scope(db_url) as db:
        first = users.add(db, "admin.one", PASSWORD, "admin", [])
        second = users.add(db, "admin.two", PASSWORD, "admin", [])
        ids = (int(first.id), int(second.id))
    barrier, outcomes = threading.Barrier(2), []

    def deactivate(actor_id: int, target_id: int) -> None:
        barrier.wait()
        try:
            with session_scope(db_url) as db:
                accounts.deactivate(db, db.get(User, actor_id), target_id)
            outcomes.append("done")
        except users.UserError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=deactivate, args=(ids[0], ids[1])),
               threading.Thread(target=deactivate, args=(ids[1], ids[0]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["done", "last_admin"]
    with session_scope(db_url) as db:
        assert accounts.active_admins(db) == 1
