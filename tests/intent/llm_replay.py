"""A real local HTTP server that replays recorded OpenAI chat-completions responses.

It listens on 127.0.0.1 (a free port), records every request (path, headers, JSON body)
and answers each with the next scripted :class:`Reply`: a status, a JSON body in the
shapes the OpenAI API documents (chat completion, tool call, refusal, error object), and
an optional delay. The LLM parser talks to it through the real ``openai`` client, so the
whole HTTP path is exercised; only the model is replaced by recordings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    body: Any
    status: int = 200
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    #: A slow drip: send the response (status line and headers too, when ``drip_head``) in
    #: pieces of ``drip_bytes`` with ``drip_s`` seconds between them. Each pause is shorter
    #: than a client's read timeout, so only a deadline on the whole call stops it.
    drip_s: float = 0.0
    drip_bytes: int = 8
    drip_head: bool = False


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ReplayServer:
    """Serves the scripted replies in order; a request with none left gets an HTTP 500."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        #: Set when a client hung up before a reply was fully sent (a drip it gave up on).
        self.abandoned = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _record(self, body: Any) -> Reply:
                with server._lock:
                    server.requests.append(
                        Recorded(self.command, self.path, dict(self.headers.items()), body)
                    )
                    if server.replies:
                        return server.replies.pop(0)
                return Reply(
                    {"error": {"message": "no recorded reply left", "type": "server_error"}},
                    status=500,
                )

            def _send(self, reply: Reply) -> None:
                if reply.delay_s:
                    server._closing.wait(reply.delay_s)
                data = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                headers = {
                    "Content-Type": "application/json",
                    **reply.headers,
                    "Content-Length": str(len(data)),
                }
                try:
                    if reply.drip_s and reply.drip_head:
                        lines = [f"{self.protocol_version} {HTTPStatus(reply.status).value} "]
                        lines[0] += HTTPStatus(reply.status).phrase
                        lines += [f"{name}: {value}" for name, value in headers.items()]
                        self._drip("\r\n".join([*lines, "", ""]).encode("latin-1"), reply)
                    else:
                        self.send_response(reply.status)
                        for name, value in headers.items():
                            self.send_header(name, value)
                        self.end_headers()
                    if reply.drip_s:
                        self._drip(data, reply)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    server.abandoned.set()  # the client gave up (a timeout test)

            def _drip(self, data: bytes, reply: Reply) -> None:
                for i in range(0, len(data), reply.drip_bytes):
                    if i and server._closing.wait(reply.drip_s):
                        return
                    self.wfile.write(data[i : i + reply.drip_bytes])
                    self.wfile.flush()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                self._send(self._record(body))

            def do_GET(self) -> None:
                self._send(self._record(None))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serving() -> Iterator[ReplayServer]:
    """A started :class:`ReplayServer`, stopped on exit."""
    server = ReplayServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- recorded response bodies, in the shapes the OpenAI API reference documents ---------------


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    model: str = "gpt-4o-mini-2024-07-18",
) -> dict[str, Any]:
    """A ``chat.completion`` object with one choice."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "refusal": refusal,
        "annotations": [],
    }
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908},
        "service_tier": "default",
        "system_fingerprint": "fp_06737a9306",
    }


def tool_call(arguments: str, name: str = "record_intent") -> dict[str, Any]:
    """A completion whose answer is a call of ``name`` (OpenAI: content null, tool_calls)."""
    return completion(
        None,
        finish_reason="tool_calls",
        tool_calls=[
            {
                "id": "call_FthC9qRpsL5kBpwwyw6c7j4k",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ],
    )


def llama_cpp_completion(content: str) -> dict[str, Any]:
    """The shape llama-cpp-python's server returns (no refusal, no service tier)."""
    return {
        "id": "chatcmpl-5d2b8f1e-4c1a-4f57-9d0e-1f3c2a6b7e90",
        "object": "chat.completion",
        "created": 1741570301,
        "model": "gemma-3-270m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 790, "completion_tokens": 88, "total_tokens": 878},
    }


def error(message: str, type_: str | None, code: str | None, param: str | None = None) -> Any:
    """An OpenAI error object."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


RATE_LIMITED = error(
    "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): "
    "Limit 3, Used 3, Requested 1. Please try again in 20s.",
    "requests",
    "rate_limit_exceeded",
)
SERVER_ERROR = error(
    "The server had an error while processing your request. Sorry about that!",
    "server_error",
    None,
)
CONTENT_FILTERED = error(
    "The response was filtered due to the prompt triggering Azure OpenAI's content "
    "management policy.",
    None,
    "content_filter",
    "prompt",
)


def answer(**fields: Any) -> str:
    """The model's JSON answer: every canonical key, ``null`` unless given."""
    out: dict[str, Any] = {
        "action": None,
        "asset": None,
        "to": None,
        "quote": None,
        "amount": None,
        "order_type": None,
        "limit_price": None,
        "trigger": None,
        "take_profit": None,
        "stop_loss": None,
        "schedule": None,
        "query": None,
        "missing": [],
    }
    out.update(fields)
    return json.dumps(out)
