"""A session's export bundle, built from the app's services: the same function serves
``GET /api/support/sessions/{id}/export`` and ``tradeassist export``.

The bundle's own format and its verification are in :mod:`execution.records.bundle`; this
module gathers what it holds: the journal, the chain check and re-run report
(:func:`web.routes.support_api.reverify`), and the transcript rendered by
:func:`render_transcript`, the one place that decides how the transcript looks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from execution.actors import Actor
from execution.errors import PermissionDenied
from execution.i18n.page import PAGE_TEXT
from execution.journal import Event, Verification
from execution.records.bundle import build_bundle
from execution.session.replay import ReplayReport
from web.routes.support_api import reverify, reverify_out, session_page
from web.services import Services
from web.templating import TEMPLATES, add_filters

WEB = Path(__file__).resolve().parent.parent
_STYLESHEET = '<link rel="stylesheet" href="/static/style.css">'


@cache
def _environment() -> jinja2.Environment:
    # The app's templates, escaped as the app renders them (Starlette's Jinja2Templates).
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    add_filters(env)
    return env


def render_transcript(
    services: Services,
    session_id: str,
    reader: Actor,
    events: list[Event] | None = None,
    checked: tuple[Verification, ReplayReport] | None = None,
) -> str:
    """The session as the support console shows it, as one self-contained page (the
    stylesheet inlined, no links back into the console). ``reader`` must be allowed to
    read the session (NotFound otherwise); ``events``: its journal as already read, and
    ``checked`` their :func:`reverify`, so that a bundle's files show the same entries."""
    if events is None:
        events = services.assistant.events(session_id, reader)
    else:
        services.assistant.events(session_id, reader)  # the same visibility rule
    page = (
        _environment()
        .get_template("support_session.html")
        .render(
            principal=None,
            csrf="",
            t=PAGE_TEXT["en"],
            exported=True,
            **session_page(services, session_id, events, checked),
        )
    )
    css = (WEB / "static" / "style.css").read_text()
    return page.replace(_STYLESHEET, f"<style>\n{css}</style>", 1)


def export_session(services: Services, session_id: str, exporter: Actor) -> bytes:
    """The session's export bundle at the services' clock time, by ``exporter``: support
    or an administrator (another role is PermissionDenied; an unknown session NotFound).
    The journal is read once: every file of the bundle shows the same entries."""
    if exporter.role not in ("support", "admin"):
        raise PermissionDenied(f"role {exporter.role!r} cannot export sessions")
    events = services.assistant.events(session_id, exporter)  # NotFound if unknown
    checked = reverify(services, session_id, events)
    return build_bundle(
        session_id,
        events,
        reverify_out(*checked).model_dump(mode="json"),
        render_transcript(services, session_id, exporter, events, checked),
        exporter=f"{exporter.user_id} ({exporter.role}, {exporter.channel})",
        now_ms=services.clock.now_ms(),
    )
