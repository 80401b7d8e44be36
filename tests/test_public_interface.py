"""The packages' public surfaces are explicit, and importing them does not load ccxt."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["intent", "execution"])
def test_every_exported_name_exists(package: str) -> None:
    module = __import__(package)
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("package", ["intent", "execution", "web.cli"])
def test_importing_does_not_load_ccxt(package: str) -> None:
    probe = f"import sys, {package}; print('ccxt' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
