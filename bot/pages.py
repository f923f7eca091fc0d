"""The one way the project serves a page: Jinja2 templates from web/templates with autoescaping on, so every
value a page shows (customer text, names, settings) is HTML-escaped unless a template says otherwise."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic.response import HTTPResponse
from sanic.response import html as html_response

from bot.paths import ROOT

TEMPLATES = ROOT / "web" / "templates"


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render(template: str, status: int = 200, **context: Any) -> HTTPResponse:
    return html_response(environment().get_template(template).render(**context), status=status)
