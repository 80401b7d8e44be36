"""The assistant, in rooms (see :mod:`.facade` for the map)."""

from execution.assistant.executor import client_order_id
from execution.assistant.facade import Assistant
from execution.assistant.mandate_runner import MandateReport
from execution.assistant.previews import PendingConfirmation, StepUpdate
from execution.assistant.reconciler import ReconcileReport
from execution.assistant.texts import confirmation_text
from execution.assistant.turns import Turn

__all__ = [
    "Assistant",
    "MandateReport",
    "PendingConfirmation",
    "ReconcileReport",
    "StepUpdate",
    "Turn",
    "client_order_id",
    "confirmation_text",
]
