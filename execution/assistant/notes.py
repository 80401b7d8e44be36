"""Support's internal notes on a session: appended to its journal like every entry, so a
note is chained, timed and signed by its author, and can be neither edited nor deleted.

A note changes nothing about the session's trading state (the fold passes over it), is
not re-run by a replay, and is never said to the customer. Support and admin staff may
write one; a customer, a product key or the worker may not."""

from __future__ import annotations

from execution.actors import Actor
from execution.assistant.context import Context, stamped
from execution.errors import PermissionDenied
from execution.journal import Event, events

#: The roles that may attach a note: the staff who read sessions in the support console.
NOTE_ROLES = ("support", "admin")


class Notes:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def add_note(self, session_id: str, actor: Actor, text: str) -> Event:
        """Journal ``text`` as ``actor``'s note on the session (ValidationError if it is
        empty or longer than :data:`~execution.journal.events.NOTE_MAX_CHARS`)."""
        if actor.role not in NOTE_ROLES:
            raise PermissionDenied(f"role {actor.role!r} cannot attach notes to a session")
        note = events.SupportNote(author=actor.user_id, role=actor.role, text=text)
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            return self._ctx.log.append(state, stamped(note), actor.user_id)
