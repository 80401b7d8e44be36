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
import importlib
import importlib.abc
import importlib.util
import json
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

#: What is compiled, in import order (rules imports numbers): a module of ``intent``, or a
#: package of it (``intent/rules/``: every module in it).
COMPILED = ("numbers", "rules")
#: Written by setup.py beside the compiled modules: source file (relative to ``intent/``)
#: -> SHA-256.
BUILT_FROM = "native_build.json"

_HERE = Path(__file__).resolve().parent


class StaleCompiledParser(UserWarning):
    """A compiled parser module no longer matches its source; the source runs instead."""


def sources(folder: Path) -> list[Path]:
    """The source files compiled from ``folder`` (the ``intent`` package): each module of
    :data:`COMPILED`, and each module of a package in it."""
    found: list[Path] = []
    for name in COMPILED:
        package = folder / name
        found += sorted(package.glob("*.py")) if package.is_dir() else [folder / f"{name}.py"]
    return found


def module_name(folder: Path, source: Path) -> str:
    """``intent.rules.grammar`` for ``folder/rules/grammar.py``, ``intent.rules`` for its
    ``__init__.py``."""
    parts = source.relative_to(folder).with_suffix("").parts
    return ".".join(("intent", *parts[: -1 if parts[-1] == "__init__" else None]))


def source_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each compiled module's source in ``folder``."""
    return {
        source.relative_to(folder).as_posix(): hashlib.sha256(source.read_bytes()).hexdigest()
        for source in sources(folder)
    }


def stale(folder: Path) -> bool:
    """Whether ``folder`` holds a compiled module that was not built from today's sources."""
    if not any(next(s.parent.glob(f"{s.stem}.*.so"), None) for s in sources(folder)):
        return False  # pure Python: nothing to guard
    try:
        built = json.loads((folder / BUILT_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(built != source_digests(folder))


class SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' Python sources, ahead of the compiled files beside them."""

    def __init__(self, folder: Path) -> None:
        self.files = {module_name(folder, source): source for source in sources(folder)}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.files.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


def use_fresh_source() -> None:
    """Load the compiled modules from their sources when the compiled ones are stale."""
    if not stale(_HERE):
        return
    warnings.warn(
        "intent/rules/ or intent/numbers.py changed since they were compiled: running the "
        "Python source (pip install -e . compiles them again)",
        StaleCompiledParser,
        stacklevel=2,
    )
    finder = SourceFinder(_HERE)
    sys.meta_path.insert(0, finder)  # (a package's modules are imported by its __init__)
    for name in finder.files:
        importlib.import_module(name)  # binds it in its package, as an import does
