"""The LLM parser: an OpenAI-compatible chat endpoint proposes the intent, our models decide.

How one utterance is parsed:

1. The request holds the versioned system prompt (``intent/prompts/intent_v1.md``) and the
   customer's utterance, nothing else: no balances, keys, session or user ids.
2. The model must answer with a flat JSON object mirroring the canonical format
   (:data:`OUTPUT_SCHEMA`), enforced by one of three structured-output modes:
   ``json_schema`` (``response_format`` type ``json_schema``, OpenAI's structured outputs),
   ``json_object`` (``response_format`` type ``json_object`` plus a ``schema``, as
   llama.cpp's servers accept it) or ``tools`` (one function whose parameters are the
   schema, forced with ``tool_choice``).
3. The answer is validated by pydantic (:class:`LLMOutput`) and converted to
   :class:`~intent.models.Intent`, :class:`~intent.models.Clarification` or
   :class:`~intent.models.Unsupported`. A missing amount, asset or side becomes a
   clarification: the model's silence is never filled in.
4. The answer is then checked against the utterance (:func:`check_against_text`, with
   :func:`intent.plausibility.implausibilities`, the same check in every mode): a side,
   asset, amount or price the text does not state is dropped and asked for, so an
   invented field never becomes an executable intent; a reading of a text that holds a
   word the assistant refuses ("withdraw", "don't") is refused.
5. Invalid output (not JSON, not the schema, not our models) gets exactly one retry that
   quotes the validation error; a second invalid answer becomes a clarification.
6. openai's exceptions are translated once, here, into :mod:`intent.errors`
   (:class:`~intent.errors.LLMUnavailable`, :class:`~intent.errors.LLMRefused`,
   :class:`~intent.errors.LLMInvalidOutput`) and then into a result:
   :meth:`LLMParser.parse` never raises. An unreachable, slow, rate-limited or failing
   endpoint gives ``Unsupported(reason="llm_unavailable")`` (not a clarification: nothing
   is missing from what the customer wrote, so there is nothing to ask); a refusal or a
   content filter gives ``Unsupported(reason="llm_refused")``.
7. ``timeout_s`` bounds the whole parse, the retry included, not just each network phase as
   openai's own timeout does: a response that drips in slowly is unavailable at the deadline.

``import openai`` happens on the first parse, so importing :mod:`intent` stays fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from intent.errors import LLMError, LLMInvalidOutput, LLMRefused, LLMUnavailable
from intent.lexicon import ASSET_ALIASES, UNSUPPORTED_MESSAGES
from intent.models import (
    Amount,
    Clarification,
    Intent,
    MissingField,
    Schedule,
    Trigger,
    Unsupported,
    clarification_question,
)
from intent.numbers import parse_number
from intent.parser import MAX_INPUT_CHARS, ParseOutput, Provenance
from intent.plausibility import Problem, ProblemField, implausibilities

if TYPE_CHECKING:
    from openai import OpenAI

log = logging.getLogger(__name__)

LLMMode = Literal["json_schema", "json_object", "tools"]

#: The prompt file in use; its stem gives :data:`PROMPT_VERSION`.
PROMPT_FILE = "intent_v1.md"
#: Stable name of the prompt: ``intent_v1.md`` → ``intent-v1``. A new prompt is a new file.
PROMPT_VERSION = PROMPT_FILE.removesuffix(".md").replace("_", "-")
#: The name of the single function offered in ``tools`` mode.
TOOL_NAME = "record_intent"

#: Result for an endpoint that did not answer (timeout, connection, 429, 5xx, ...).
UNAVAILABLE_MESSAGE = (
    "I can't reach the language service right now. Please state the trade plainly, "
    'for example "buy 0.1 BTC" or "sell half my ETH".'
)
#: Result for a model that refused, or whose answer a content filter withheld.
REFUSED_MESSAGE = (
    "I can't help with that request. I can help you buy, sell or convert crypto, cancel "
    "orders, and check prices, balances and open orders."
)
#: Question asked when the model's answer was invalid twice.
INVALID_QUESTION = (
    "Sorry, I didn't understand that. Could you say which asset you want to buy or sell, "
    'and how much? For example "buy 0.1 BTC" or "sell 2 SOL at 180".'
)

_MAX_ERROR_CHARS = 600  # how much of a validation error is quoted back to the model


@dataclass(frozen=True)
class Prompt:
    """The system prompt: its text, stable version and content hash."""

    text: str
    version: str
    sha256: str

    @property
    def id(self) -> str:
        """What the journal records: ``intent-v1+sha256.<12 hex>`` (name and exact text)."""
        return f"{self.version}+sha256.{self.sha256[:12]}"


@lru_cache(maxsize=1)
def load_prompt() -> Prompt:
    """Read the packaged system prompt (``intent/prompts/``) once."""
    text = resources.files("intent").joinpath("prompts", PROMPT_FILE).read_text("utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Prompt(text=text, version=PROMPT_VERSION, sha256=digest)


# ---------------------------------------------------------------------------------------------
# The output schema (what the model must produce) and its validation
# ---------------------------------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


# A number may come as a JSON number or as a string ("60k", "2,500"): both are normalised
# by intent.numbers, so the model never has to do arithmetic on suffixes.
_NUMBER: dict[str, Any] = {"anyOf": [{"type": "number"}, {"type": "string"}]}
_CODE: dict[str, Any] = {"type": "string"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    # Every key required and no others: what OpenAI's strict mode demands, and it makes a
    # grammar-constrained small model spell out every field instead of stopping early.
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


#: JSON Schema of the model's answer: the canonical format, flat, numbers or strings.
OUTPUT_SCHEMA: dict[str, Any] = _object(
    {
        "action": {
            "type": "string",
            "enum": ["buy", "sell", "convert", "cancel", "query", "clarify", "unsupported"],
        },
        "asset": _nullable(_CODE),
        "to": _nullable(_CODE),
        "quote": _nullable(_CODE),
        "amount": _nullable(_object({"value": _NUMBER, "unit": _CODE})),
        "order_type": _nullable({"type": "string", "enum": ["market", "limit"]}),
        "limit_price": _nullable(_NUMBER),
        "trigger": _nullable(
            _object({"op": {"type": "string", "enum": ["<=", ">="]}, "price": _NUMBER})
        ),
        "take_profit": _nullable(_NUMBER),
        "stop_loss": _nullable(_NUMBER),
        "schedule": _nullable(
            _object(
                {
                    "every": _nullable({"type": "string"}),
                    "count": _nullable({"type": "integer"}),
                    "over": _nullable({"type": "string"}),
                }
            )
        ),
        "query": _nullable({"type": "string", "enum": ["price", "balance", "orders"]}),
        "missing": {
            "type": "array",
            "items": {"type": "string", "enum": ["amount", "asset", "side", "price"]},
        },
    }
)

_CODE_RE = re.compile(r"^[A-Z0-9]{2,10}$")
# ISO 8601 durations as FORMAT.md uses them: P1D, P1W, P1M, PT30M, PT4H, P1DT12H.
_DURATION_RE = re.compile(r"^P(?=\d|T\d)(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?$")


def _to_decimal(value: Any) -> Decimal | None:
    """A JSON number (parsed as Decimal) or a string such as ``"60k"``; else an error."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a number is expected, not a boolean")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        if not value.strip():
            return None
        parsed = parse_number(value)
        if parsed is None:
            raise ValueError(f"{value!r} is not a number")
        return parsed
    raise ValueError(f"a number is expected, got {type(value).__name__}")


def _to_positive(value: Any) -> Decimal | None:
    number = _to_decimal(value)
    if number is not None and number <= 0:
        raise ValueError(f"{value!r} must be greater than 0")
    return number


def _to_code(value: Any) -> str | None:
    """An asset or currency code; names (``bitcoin``, ``以太坊``) map to codes via the lexicon."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("an asset or currency code must be a string")
    text = value.strip()
    if not text or text.lower() == "null":
        return None
    code = ASSET_ALIASES.get(text.lower(), text.upper())
    if not _CODE_RE.match(code):
        raise ValueError(f"{value!r} is not an asset or currency code")
    return code


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LLMAmount(_Strict):
    """``amount`` as the model writes it."""

    value: Decimal
    unit: str

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any) -> Decimal:
        value = _to_positive(v)
        if value is None:
            raise ValueError("the amount needs a value")
        return value

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: Any) -> str:
        if isinstance(v, str) and v.strip() in ("%", "percent"):
            return "%"
        code = _to_code(v)
        if code is None:
            raise ValueError("the amount needs a unit")
        return code


class LLMTrigger(_Strict):
    """``trigger`` as the model writes it."""

    op: Literal["<=", ">="]
    price: Decimal

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Decimal:
        value = _to_positive(v)
        if value is None:
            raise ValueError("the trigger needs a price")
        return value


class LLMSchedule(_Strict):
    """``schedule`` as the model writes it; durations must be ISO 8601."""

    every: str | None = None
    count: int | None = None
    over: str | None = None

    @field_validator("every", "over")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        if not _DURATION_RE.match(v.strip()):
            raise ValueError(f"{v!r} is not an ISO 8601 duration such as P1D or PT4H")
        return v.strip()


class LLMOutput(_Strict):
    """The model's answer, validated: the canonical keys, nothing more.

    Absent keys count as ``null`` (a model in ``json_object`` mode without schema support may
    omit them); unknown keys are an error, so nothing the model adds is silently dropped.
    """

    action: Literal["buy", "sell", "convert", "cancel", "query", "clarify", "unsupported"]
    asset: str | None = None
    to: str | None = None
    quote: str | None = None
    amount: LLMAmount | None = None
    order_type: Literal["market", "limit"] | None = None
    limit_price: Decimal | None = None
    trigger: LLMTrigger | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    schedule: LLMSchedule | None = None
    query: Literal["price", "balance", "orders"] | None = None
    missing: list[MissingField] = []

    @field_validator("asset", "to", "quote", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str | None:
        return _to_code(v)

    @field_validator("limit_price", "take_profit", "stop_loss", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Decimal | None:
        return _to_positive(v)

    @field_validator("missing", mode="before")
    @classmethod
    def _missing(cls, v: Any) -> Any:
        return [] if v is None else v


def to_result(out: LLMOutput) -> ParseOutput:
    """Convert a validated answer to our models; raises ``ValueError`` if it is inconsistent.

    Never fills a gap: a trade without an asset, an amount (or, for a convert, the asset
    received) becomes a :class:`Clarification` naming what to ask.
    """
    if out.action == "unsupported":
        return Unsupported(reason="llm_unsupported", message=UNSUPPORTED_MESSAGES["off_topic"])
    if out.action == "cancel":
        return Intent(action="cancel", asset=out.asset)
    if out.action == "query":
        if out.query is None:
            raise ValueError('action "query" needs "query": price, balance or orders')
        if out.query == "price" and out.asset is None:
            return Clarification(missing=("asset",), question="Which asset's price do you want?")
        return Intent(action="query", query=out.query, asset=out.asset)

    amount: Amount | None = None
    if out.amount is not None:
        if out.amount.unit == "%" and out.amount.value > 100:
            raise ValueError("a share of holdings cannot exceed 100%")
        amount = Amount(value=out.amount.value, unit=out.amount.unit)
    missing: set[MissingField] = set(out.missing)
    if out.asset is None:
        missing.add("asset")
    if amount is None:
        missing.add("amount")
    side: Literal["buy", "sell", "convert"] | None = None
    if out.action == "clarify":
        if not missing:
            missing.add("side")  # "clarify" with nothing to ask: at least ask what to do
    else:
        side = out.action
        if side == "convert" and out.to is None:
            missing.add("asset")
        if out.order_type == "limit" and out.limit_price is None:
            missing.add("price")
    if missing:
        ordered = tuple(sorted(missing))
        return Clarification(
            side=side,
            asset=out.asset,
            to=out.to if side == "convert" else None,
            quote=out.quote,
            amount=amount,
            missing=ordered,
            question=clarification_question(ordered, side, out.asset),
        )
    assert side is not None  # a "clarify" always has something missing
    schedule = None
    if out.schedule is not None and any(
        v is not None for v in (out.schedule.every, out.schedule.count, out.schedule.over)
    ):
        schedule = Schedule(
            every=out.schedule.every, count=out.schedule.count, over=out.schedule.over
        )
    trigger = None
    if out.trigger is not None:
        trigger = Trigger(op=out.trigger.op, price=out.trigger.price)
    return Intent(
        action=side,
        asset=out.asset,
        to=out.to if side == "convert" else None,
        quote=out.quote,
        amount=amount,
        order_type="limit" if out.limit_price is not None else "market",
        limit_price=out.limit_price,
        trigger=trigger,
        take_profit=out.take_profit,
        stop_loss=out.stop_loss,
        schedule=schedule,
    )


# What to ask when a field of the model's reading is not supported by the text.
_ASK_FOR: dict[ProblemField, MissingField] = {
    "action": "side",
    "asset": "asset",
    "to": "asset",
    "quote": "asset",
    "amount": "amount",
    "schedule": "amount",  # an invented count: how much in all is not known
    "limit_price": "price",
    "trigger": "price",
    "take_profit": "price",
    "stop_loss": "price",
}


def check_against_text(text: str, result: ParseOutput) -> tuple[ParseOutput, list[Problem]]:
    """``result`` if the text supports it; else what may be kept of it, and the problems.

    An implausible trade becomes a :class:`Clarification` that keeps only the fields the
    text supports and asks for the others (the side, the asset, the amount, the price); a
    clarification loses its unsupported fields the same way, so the dialogue cannot later
    complete an invented amount. A cancel or query the text does not support asks what the
    customer wants; any reading of a text holding a refused word is refused with that
    word's reason, as the rule parser does.
    """
    if isinstance(result, Unsupported):
        return result, []
    problems = implausibilities(text, result)
    if not problems:
        return result, problems
    refused = next((p.reason for p in problems if p.field == "refused"), None)
    if refused is not None:
        message = UNSUPPORTED_MESSAGES.get(refused, UNSUPPORTED_MESSAGES["off_topic"])
        return Unsupported(reason=refused, message=message), problems
    if isinstance(result, Intent) and result.action in ("cancel", "query"):
        return Clarification(
            missing=("amount", "asset", "side"), question=INVALID_QUESTION
        ), problems
    dropped = {p.field for p in problems}
    missing: set[MissingField] = {_ASK_FOR[name] for name in dropped if name in _ASK_FOR}
    if isinstance(result, Clarification):
        missing.update(result.missing)
        side = result.side
    else:
        side = result.action if result.action in ("buy", "sell", "convert") else None
    if "action" in dropped:
        side = None
    kept = {
        name: None if name in dropped else getattr(result, name)
        for name in (
            "asset",
            "to",
            "quote",
            "amount",
            "limit_price",
            "trigger",
            "take_profit",
            "stop_loss",
            "schedule",
        )
    }
    if kept["asset"] is None:
        missing.add("asset")
    if kept["amount"] is None:
        missing.add("amount")
    ordered = tuple(sorted(missing))
    return (
        Clarification(
            side=side,
            order_type="limit" if kept["limit_price"] is not None else None,
            missing=ordered,
            question=clarification_question(ordered, side, kept["asset"]),
            **kept,
        ),
        problems,
    )


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def interpret(raw: str) -> ParseOutput:
    """Validate one raw answer and convert it; raises :class:`LLMInvalidOutput` if invalid."""
    fenced = _FENCE_RE.match(raw)
    body = fenced.group(1) if fenced else raw
    try:
        data = json.loads(body, parse_float=Decimal)
    except (json.JSONDecodeError, InvalidOperation) as exc:
        raise LLMInvalidOutput(f"the answer is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LLMInvalidOutput(f"the answer must be a JSON object, not {type(data).__name__}")
    try:
        return to_result(LLMOutput.model_validate(data))
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()
        )
        raise LLMInvalidOutput(f"the answer does not match the schema: {errors}") from exc
    except ValueError as exc:
        raise LLMInvalidOutput(f"the answer is inconsistent: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LLMSettings:
    """How to reach the endpoint. ``api_key`` never appears in ``repr`` or in logs."""

    base_url: str
    model: str = "gemma-3-270m"
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0  # for a whole parse (both attempts), not per network phase
    mode: LLMMode = "json_schema"
    max_tokens: int = 400
    temperature: float = 0.0
    seed: int | None = 0
    #: False for servers whose chat template drops ``system`` messages (llama-cpp-python's
    #: "gemma" format): the prompt then leads the user turn, as Gemma's own template does.
    system_role: bool = True


class LLMParser:
    """Parses an utterance with an OpenAI-compatible chat endpoint; never raises.

    Thread-safe: the openai client is built once, on first use, under a lock.
    """

    name = "llm"
    version = "1.0.0"

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = settings.model
        self.prompt = load_prompt()
        self._client: OpenAI | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        s = self.settings
        return f"LLMParser(base_url={s.base_url!r}, model={s.model!r}, mode={s.mode!r})"

    # --- the Parser protocol -----------------------------------------------------------

    def parse(self, text: str) -> ParseOutput:
        """Parse ``text``: an Intent, a Clarification or Unsupported; never an exception."""
        return self.parse_traced(text)[0]

    def parse_traced(self, text: str) -> tuple[ParseOutput, Provenance]:
        """Parse ``text`` and say how: model, prompt version, attempts, and what went wrong."""
        if len(text) > MAX_INPUT_CHARS:  # nobody types a trade that long: don't pay to send it
            message = UNSUPPORTED_MESSAGES["too_long"]
            return Unsupported(reason="too_long", message=message), self._provenance(0, None)
        attempts = 0
        messages = self.messages(text)
        note: str | None = None
        try:
            self._openai()  # built once (it imports openai): not part of the time allowed
            deadline = self._deadline()  # for the whole parse, the retry included
            for attempt in (1, 2):
                attempts = attempt
                raw = ""
                try:
                    raw = self._complete(messages, deadline)
                    result, problems = check_against_text(text, interpret(raw))
                    if problems:
                        why = "implausible: " + "; ".join(p.message for p in problems)
                        log.info("llm answer not supported by the text: %s", why)
                        note = f"{note}; {why}" if note else why
                    return result, self._provenance(attempts, note)
                except LLMInvalidOutput as exc:
                    note = f"invalid output (attempt {attempt}): {exc}"[:_MAX_ERROR_CHARS]
                    log.info("llm answer rejected: %s", note)
                    messages = [*messages, *self._feedback(raw, str(exc))]
            return (
                Clarification(missing=("amount", "asset", "side"), question=INVALID_QUESTION),
                self._provenance(attempts, note),
            )
        except LLMRefused as exc:
            note = f"refused: {exc}"[:_MAX_ERROR_CHARS]
            return (
                Unsupported(reason="llm_refused", message=REFUSED_MESSAGE),
                self._provenance(attempts, note),
            )
        except LLMError as exc:  # LLMUnavailable
            note = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]
            log.warning("llm unavailable: %s", note)
        except Exception as exc:  # a bug here must not become a trade or a crash
            note = f"internal error: {type(exc).__name__}"
            log.exception("llm parser failed")
        return (
            Unsupported(reason="llm_unavailable", message=UNAVAILABLE_MESSAGE),
            self._provenance(attempts, note),
        )

    def _provenance(self, attempts: int, note: str | None) -> Provenance:
        return Provenance(
            parser=self.name,
            version=self.version,
            model=self.model,
            prompt_version=self.prompt.id,
            attempts=max(attempts, 1),
            note=note,
        )

    # --- what is sent ------------------------------------------------------------------

    def messages(self, text: str) -> list[dict[str, Any]]:
        """The conversation sent for ``text``: the system prompt and the utterance, only."""
        if not self.settings.system_role:
            return [{"role": "user", "content": f"{self.prompt.text}\nMessage:\n{text}"}]
        return [
            {"role": "system", "content": self.prompt.text},
            {"role": "user", "content": text},
        ]

    def request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The keyword arguments of ``chat.completions.create`` for ``messages``."""
        s = self.settings
        kwargs: dict[str, Any] = {
            "model": s.model,
            "messages": messages,
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
        }
        if s.seed is not None:
            kwargs["seed"] = s.seed
        if s.mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "intent", "strict": True, "schema": OUTPUT_SCHEMA},
            }
        elif s.mode == "json_object":
            # llama.cpp's servers constrain the output to "schema"; OpenAI ignores it and only
            # guarantees JSON, the prompt and validation do the rest.
            kwargs["response_format"] = {"type": "json_object", "schema": OUTPUT_SCHEMA}
        else:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": TOOL_NAME,
                        "description": "Record what the customer's message asks for.",
                        "parameters": OUTPUT_SCHEMA,
                    },
                }
            ]
            kwargs["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        return kwargs

    @staticmethod
    def _feedback(raw: str, error: str) -> list[dict[str, Any]]:
        # The previous answer goes back as plain assistant text in every mode (not as a
        # tool call plus a "tool" message): chat templates such as Gemma's accept only
        # strictly alternating user/assistant turns.
        return [
            {"role": "assistant", "content": raw[:2000]},
            {
                "role": "user",
                "content": f"That answer was invalid: {error[:_MAX_ERROR_CHARS]}. Reply with "
                "one JSON object that follows the schema, and nothing else.",
            },
        ]

    # --- the one place openai is touched -------------------------------------------------

    def _openai(self) -> OpenAI:
        with self._lock:
            if self._client is None:
                import openai  # lazy: importing intent must not pay for openai

                s = self.settings
                self._client = openai.OpenAI(
                    base_url=s.base_url,
                    # Local servers need no key; an explicit placeholder keeps the client
                    # from picking up an unrelated OPENAI_API_KEY from the environment.
                    api_key=s.api_key or "no-key",
                    timeout=s.timeout_s,
                    max_retries=0,  # one request per attempt; our retry is for bad output
                )
            return self._client

    def raw_completion(self, text: str) -> str:
        """The model's raw structured answer to ``text`` (no validation); for diagnostics.

        Raises the :mod:`intent.errors` LLM exceptions.
        """
        self._openai()
        return self._complete(self.messages(text), self._deadline())

    def _deadline(self) -> float:
        """When a parse that starts now must have its answer (:func:`time.monotonic`)."""
        return time.monotonic() + self.settings.timeout_s

    def _timeout(self) -> LLMUnavailable:
        return LLMUnavailable(f"timeout after {self.settings.timeout_s}s")

    def _complete(self, messages: list[dict[str, Any]], deadline: float) -> str:
        """One request answered before ``deadline``; the raw JSON text, or an LLMError.

        openai's timeout (httpx's) bounds each network phase, not the whole request: a
        response that drips in, each piece within the read timeout, could take any time.
        So the request runs on a worker thread, waited for until ``deadline`` at most; a
        later answer is dropped (the thread ends with its request, which the per-phase
        timeout still bounds whenever the server stalls).
        """
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout()
        client = self._openai()
        request = self.request(messages)
        answer: Future[str] = Future()

        def send() -> None:
            try:
                answer.set_result(self._send(client, request))
            except Exception as exc:  # handed to the waiting thread, which raises it
                answer.set_exception(exc)

        threading.Thread(target=send, name="llm-request", daemon=True).start()
        try:
            return answer.result(timeout=remaining)
        except FutureTimeout as exc:
            raise self._timeout() from exc

    def _send(self, client: OpenAI, request: dict[str, Any]) -> str:
        """Send one request (on the worker thread); openai's exceptions become LLMErrors."""
        import openai

        try:
            completion = client.chat.completions.create(**request)
        except openai.APITimeoutError as exc:
            raise self._timeout() from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable(f"connection failed: {exc}") from exc
        except openai.RateLimitError as exc:
            raise LLMUnavailable("rate limited (HTTP 429)") from exc
        except openai.APIStatusError as exc:
            if exc.code == "content_filter":  # Azure-style: the prompt was filtered
                raise LLMRefused(f"content filter (HTTP {exc.status_code})") from exc
            raise LLMUnavailable(f"HTTP {exc.status_code}: {_short(exc.message)}") from exc
        except openai.APIError as exc:  # e.g. a response that is not a chat completion
            raise LLMUnavailable(f"bad response: {_short(str(exc))}") from exc
        return _answer_text(completion, self.settings.mode)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _answer_text(completion: Any, mode: LLMMode) -> str:
    """The structured answer in a completion: tool-call arguments or message content."""
    choices = getattr(completion, "choices", None)
    if not choices:
        raise LLMInvalidOutput("the response has no choices")
    choice = choices[0]
    message = getattr(choice, "message", None)
    finish = getattr(choice, "finish_reason", None)
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise LLMRefused(_short(str(refusal)))
    if finish == "content_filter":
        raise LLMRefused("content filter")
    if message is None:
        raise LLMInvalidOutput("the choice has no message")
    if mode == "tools":
        for call in getattr(message, "tool_calls", None) or ():
            function = getattr(call, "function", None)
            if getattr(function, "name", None) == TOOL_NAME:
                return str(getattr(function, "arguments", "") or "")
    content = getattr(message, "content", None)
    if not content:  # tools mode: some servers answer in content despite tool_choice
        raise LLMInvalidOutput(
            "the answer is empty" + (" (no tool call)" if mode == "tools" else "")
        )
    if finish == "length":
        raise LLMInvalidOutput("the answer was cut off at max_tokens")
    return str(content)
