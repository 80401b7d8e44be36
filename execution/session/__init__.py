"""A customer session, as its journal tells it.

- :mod:`~execution.session.lifecycle`: the explicit tables of allowed step and plan changes;
- :mod:`~execution.session.state`: the fold of a journal's typed events
  (:mod:`execution.journal.events`) into a session's state;
- :mod:`~execution.session.log`: appending to a session under its lock, refused if another
  process changed it first (what makes an order go out once);
- :mod:`~execution.session.replay`: re-running a session's parses, plans and previews on
  their recorded inputs.
"""
