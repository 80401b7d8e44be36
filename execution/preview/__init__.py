"""What a request would do, computed once for every face.

:mod:`execution.preview.pipeline` takes a reading (or a text) to its plan, each step's
preview on the venue, and the policy's verdict on each: the chat, the simulation API, the
``tradeassist simulate`` command and ``replay --verify`` all call it, so what the customer
previews, what the product team simulates and what support replays are one computation.
:mod:`~execution.preview.simulator` computes one order's preview from a book,
:mod:`~execution.preview.scenarios` reshapes a book for a what-if, and
:mod:`~execution.preview.requote` says when a preview is out of date at confirmation.
"""
