"""How the records write a decimal: as people write it, never with an exponent
(``3E-7`` is ``0.0000003``), in JSON, CSV and HTML alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

from intent.models import plain

#: A decimal that serialises to JSON as its plain string.
Figure = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]

__all__ = ["Figure", "plain"]
