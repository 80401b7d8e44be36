"""The app's Jinja2 templates, set up once: the pages (:mod:`web.app`) and a session's
export bundle (:mod:`web.records.export`) render the same templates with the same filters."""

from __future__ import annotations

from pathlib import Path

import jinja2

from execution.session.transcript import pretty

TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_filters(env: jinja2.Environment) -> None:
    """The filters the templates use beyond Jinja2's own."""
    env.filters["pretty"] = pretty  # raw journal payloads, real characters
