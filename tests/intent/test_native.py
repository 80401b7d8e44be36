"""The compiled rule parser (setup.py, mypyc): it reads exactly as its source does, and a
compiled module that no longer matches its source is never run."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import intent.numbers
import intent.rules
from intent import native
from intent.evaluate import load_corpus
from tests.conftest import CORPORA

COMPILED = not intent.rules.__file__.endswith(".py")  # type: ignore[union-attr]
PURE = "the Python source runs here (no C compiler, or edited since it was compiled)"


def _source_package(name: str) -> ModuleType:
    """``intent/<name>/`` run as Python: its modules imported from their sources (as the
    stale-module guard does), then the compiled ones put back."""
    prefix = f"intent.{name}"
    ours = [k for k in sys.modules if k == prefix or k.startswith(f"{prefix}.")]
    compiled = {k: sys.modules.pop(k) for k in ours}
    finder = native.SourceFinder(Path(native.__file__).parent)
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(prefix)
    finally:
        sys.meta_path.remove(finder)
        for k in [k for k in sys.modules if k == prefix or k.startswith(f"{prefix}.")]:
            del sys.modules[k]
        sys.modules.update(compiled)
        setattr(intent, name, compiled[prefix])


def _source_module(name: str) -> ModuleType:
    """``intent/<name>.py`` run as Python under another module name."""
    path = Path(native.__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"source_of_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up while it runs)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not COMPILED, reason=PURE)
def test_compiled_parser_reads_every_tuning_row_as_its_source_does() -> None:
    source = _source_package("rules").RuleParser()
    compiled = intent.rules.RuleParser()
    texts = [
        row["text"] for name in ("dev", "tune") for row in load_corpus(CORPORA / f"{name}.jsonl")
    ]
    assert len(texts) > 30_000
    differ = [t for t in texts if repr(source.parse(t)) != repr(compiled.parse(t))]
    assert differ == []


@pytest.mark.skipif(not COMPILED, reason=PURE)
def test_compiled_numbers_read_as_their_source_does() -> None:
    source = _source_module("numbers")
    words = ["two hundred and fifty", "a dozen", "1.5k", "三千五百", "两万", "1,234.5", "0.5m"]
    for text in words:
        assert source.parse_number(text) == intent.numbers.parse_number(text), text


def _compiled_tree(tmp_path: Path) -> Path:
    """A copy of the compiled modules' folder: sources, a compiled file, the build record."""
    folder = tmp_path / "intent"
    installed = Path(native.__file__).parent
    for source in native.sources(installed):
        copy = folder / source.relative_to(installed)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, copy)
        copy.with_name(f"{copy.stem}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    (folder / native.BUILT_FROM).write_text(json.dumps(native.source_digests(folder)))
    return folder


def test_compiled_modules_built_from_todays_sources_are_not_stale(tmp_path: Path) -> None:
    assert not native.stale(_compiled_tree(tmp_path))


def test_an_edited_source_makes_its_compiled_module_stale(tmp_path: Path) -> None:
    folder = _compiled_tree(tmp_path)
    with (folder / "numbers.py").open("a") as source:
        source.write("# edited after the build\n")
    assert native.stale(folder)


def test_an_edited_module_of_the_rules_package_makes_it_stale(tmp_path: Path) -> None:
    folder = _compiled_tree(tmp_path)
    with (folder / "rules" / "tokens.py").open("a") as source:
        source.write("# edited after the build\n")
    assert native.stale(folder)


def test_a_compiled_module_without_its_build_record_is_stale(tmp_path: Path) -> None:
    folder = _compiled_tree(tmp_path)
    (folder / native.BUILT_FROM).unlink()
    assert native.stale(folder)


def test_pure_python_has_nothing_to_guard(tmp_path: Path) -> None:
    folder = _compiled_tree(tmp_path)
    for built in folder.rglob("*.so"):
        built.unlink()
    (folder / native.BUILT_FROM).unlink()
    assert not native.stale(folder)


@pytest.mark.skipif(not COMPILED, reason=PURE)
def test_an_edited_install_runs_the_source_and_says_so(tmp_path: Path) -> None:
    """A copy of the installed package whose rules/grammar.py was edited after the build."""
    installed = Path(intent.__file__).parent
    copy = tmp_path / "intent"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "rules" / "grammar.py").open("a") as source:
        source.write("EDITED_AFTER_THE_BUILD = True\n")
    probe = (
        "import warnings; warnings.simplefilter('always');"
        "import intent.rules as r, intent.rules.grammar as g, intent.numbers as n;"
        "print(r.__file__, g.__file__, n.__file__, g.EDITED_AFTER_THE_BUILD,"
        " r.RuleParser().parse('buy 1 btc').action)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    rules_file, grammar_file, numbers_file, edited, action = done.stdout.split()
    assert (rules_file, grammar_file, numbers_file) == (
        str(copy / "rules" / "__init__.py"),
        str(copy / "rules" / "grammar.py"),
        str(copy / "numbers.py"),
    )
    assert (edited, action) == ("True", "buy")
    assert "StaleCompiledParser" in done.stderr
