"""The admin page (role admin): console accounts - create agents, editors and admins, assign queues, set
role and console language, deactivate and reactivate, reset a password. Every form is a POST checked by the
console's CSRF middleware; every change is audited (bot.console.accounts); errors are shown in the admin's
language. After a change the browser is redirected (POST-redirect-GET) with the outcome in `?done=`."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.console import accounts, i18n, users
from bot.console.auth import PREFIX, current_user, require_role
from bot.console.passwords import WeakPassword
from bot.console.views import page
from bot.db.engine import session_scope
from bot.db.models import USER_ROLES, User

DONE = ("created", "updated", "deactivated", "activated", "password_reset")
BASE = f"{PREFIX}/admin/users"


def _admin(request: Request) -> User:
    user = current_user(request)
    assert user is not None  # require_role ran first
    return user


def _form(request: Request, name: str) -> str:
    return str((request.form or {}).get(name) or "").strip()


def _queues(request: Request) -> list[str]:
    form = request.form
    chosen = [str(q) for q in (form.getlist("queues") or [])] if form is not None else []
    return users.parse_queues(",".join(chosen))


def _error_text(request: Request, error: Exception) -> str:
    texts = i18n.texts_for(request, _admin(request))
    code = getattr(error, "code", "invalid")
    values = dict(getattr(error, "values", {}) or {})
    key = f"admin.errors.{code}"
    return texts(key, **values) if key in texts.strings else texts("admin.errors.invalid")


def _choices() -> dict[str, Any]:
    return {"roles": USER_ROLES, "all_queues": accounts.all_queues(), "languages": i18n.names()}


def _list_page(request: Request, status: int = 200, error: str = "", form: dict[str, Any] | None = None) -> HTTPResponse:
    with session_scope() as db:
        rows = [_row(u) for u in users.all_users(db)]
    done = request.args.get("done")
    return page(request, "console/admin_users.html", status=status, accounts=rows, error=error,
                done=done if done in DONE else "", form=form or {}, **_choices())


def _row(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "display_name": user.display_name, "role": user.role,
            "queues": list(user.queues or []), "language": user.language or "", "active": bool(user.active)}


def _account_page(request: Request, user_id: int, status: int = 200, error: str = "") -> HTTPResponse:
    with session_scope() as db:
        user = db.get(User, user_id)
        if user is None:
            return page(request, "console/not_found.html", status=404)
        account = _row(user)
        changes = [{"at": c.changed_at, "actor": c.actor, "action": c.action, "detail": c.detail}
                   for c in accounts.history(db, user_id)]
    done = request.args.get("done")
    return page(request, "console/admin_user.html", status=status, account=account, changes=changes, error=error,
                done=done if done in DONE else "", **_choices())


async def _change(request: Request, user_id: int, done: str, action: Callable[[Any, User], Any]) -> HTTPResponse:
    """Runs one account change for the signed-in admin (in a thread: a password hash takes a while)."""
    admin_id = _admin(request).id

    def run() -> None:
        with session_scope() as db:
            admin = db.get(User, admin_id)
            action(db, admin)

    try:
        await asyncio.to_thread(run)
    except (users.UserError, WeakPassword) as error:
        return _account_page(request, user_id, status=400, error=_error_text(request, error))
    return redirect(f"{BASE}/{user_id}?done={done}", status=303)


def register(bp: Blueprint) -> None:
    @bp.get("/admin/users")
    @require_role("admin")
    async def list_accounts(request: Request) -> HTTPResponse:
        return _list_page(request)

    @bp.post("/admin/users")
    @require_role("admin")
    async def create_account(request: Request) -> HTTPResponse:
        admin_id = _admin(request).id
        fields = {"name": _form(request, "name"), "display_name": _form(request, "display_name"),
                  "role": _form(request, "role"), "language": _form(request, "language")}

        def run() -> int:
            with session_scope() as db:
                admin = db.get(User, admin_id)
                user = accounts.create(db, admin, name=fields["name"], display_name=fields["display_name"],
                                       role=fields["role"], language=fields["language"] or None,
                                       queues=_queues(request),
                                       password=str((request.form or {}).get("password") or ""),
                                       repeated=str((request.form or {}).get("password_repeated") or ""))
                return int(user.id)

        try:
            user_id = await asyncio.to_thread(run)
        except (users.UserError, WeakPassword) as error:
            return _list_page(request, status=400, error=_error_text(request, error), form=fields)
        return redirect(f"{BASE}/{user_id}?done=created", status=303)

    @bp.get("/admin/users/<user_id:int>")
    @require_role("admin")
    async def show_account(request: Request, user_id: int) -> HTTPResponse:
        return _account_page(request, user_id)

    @bp.post("/admin/users/<user_id:int>")
    @require_role("admin")
    async def update_account(request: Request, user_id: int) -> HTTPResponse:
        return await _change(request, user_id, "updated", lambda db, admin: accounts.update_account(
            db, admin, user_id, display_name=_form(request, "display_name"), role=_form(request, "role"),
            queues=_queues(request), language=_form(request, "language") or None))

    @bp.post("/admin/users/<user_id:int>/deactivate")
    @require_role("admin")
    async def deactivate(request: Request, user_id: int) -> HTTPResponse:
        return await _change(request, user_id, "deactivated",
                             lambda db, admin: accounts.deactivate(db, admin, user_id))

    @bp.post("/admin/users/<user_id:int>/activate")
    @require_role("admin")
    async def activate(request: Request, user_id: int) -> HTTPResponse:
        return await _change(request, user_id, "activated", lambda db, admin: accounts.activate(db, admin, user_id))

    @bp.post("/admin/users/<user_id:int>/password")
    @require_role("admin")
    async def reset_password(request: Request, user_id: int) -> HTTPResponse:
        password = str((request.form or {}).get("password") or "")
        repeated = str((request.form or {}).get("password_repeated") or "")
        return await _change(request, user_id, "password_reset",
                             lambda db, admin: accounts.reset_password(db, admin, user_id, password, repeated))
