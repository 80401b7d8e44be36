"""The rule parser's compiled modules, and the guard that never runs a stale one.

``setup.py`` compiles :data:`COMPILED` with mypyc when it can and records the SHA-256 of
each source it compiled in :data:`BUILT_FROM`. Python would import a compiled module in
preference to its source, even one edited since (an editable install, a ``git
checkout``): :func:`use_fresh_source`, called first thing by ``intent/__init__.py``, loads
the sources instead whenever one differs from what was compiled, and says so once.

Standard library only: ``setup.py`` reads this file before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import warnings
from pathlib import Path

#: The modules compiled, in import order (rules imports numbers).
COMPILED = ("numbers", "rules")
#: Written by setup.py beside the compiled modules: source file name -> SHA-256.
BUILT_FROM = "native_build.json"

_HERE = Path(__file__).resolve().parent


class StaleCompiledParser(UserWarning):
    """A compiled parser module no longer matches its source; the source runs instead."""


def source_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each compiled module's source in ``folder``."""
    return {
        f"{name}.py": hashlib.sha256((folder / f"{name}.py").read_bytes()).hexdigest()
        for name in COMPILED
    }


def stale(folder: Path) -> bool:
    """Whether ``folder`` holds a compiled module that was not built from today's sources."""
    if not any(next(folder.glob(f"{name}.*.so"), None) for name in COMPILED):
        return False  # pure Python: nothing to guard
    try:
        built = json.loads((folder / BUILT_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(built != source_digests(folder))


def use_fresh_source() -> None:
    """Load the compiled modules from their sources when the compiled ones are stale."""
    if not stale(_HERE):
        return
    warnings.warn(
        "intent/rules.py or intent/numbers.py changed since they were compiled: running the "
        "Python source (pip install -e . compiles them again)",
        StaleCompiledParser,
        stacklevel=2,
    )
    for name in COMPILED:
        spec = importlib.util.spec_from_file_location(f"intent.{name}", _HERE / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(sys.modules[__package__], name, module)  # as an import binds it
