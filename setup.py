"""Build: the rule parser (the ``intent/rules/`` package and ``intent/numbers.py``) compiled to
C with mypyc when a C compiler is there, pure Python otherwise (same code, same readings, about
half the speed).

mypyc (mypy's compiler, which builds mypy and black) compiles the type-annotated modules
as they are: nothing is rewritten for it, and the whole test suite runs on what it builds.
``TRADEASSIST_PURE_PYTHON=1`` skips it. Beside the compiled modules goes the SHA-256 of the
sources they were built from, so that a stale one is never run (``intent/native.py``).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
NATIVE = runpy.run_path(str(ROOT / "intent" / "native.py"))  # standard library only
#: The sources as mypyc reads them (before it does: an edit during the build is stale).
DIGESTS = NATIVE["source_digests"](ROOT / "intent")


class OptionalBuildExt(build_ext):
    """Build the compiled modules if this machine can; if it cannot, pure Python runs."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers
            print(f"tradeassist: parser not compiled ({exc}); pure Python", file=sys.stderr)
            return
        if self.extensions:
            built = Path(self.get_ext_fullpath("intent.numbers")).parent
            (built / NATIVE["BUILT_FROM"]).write_text(json.dumps(DIGESTS, indent=1) + "\n")


def _extensions() -> list[Any]:
    if os.environ.get("TRADEASSIST_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify

        # compiled together: a call from one module to another stays a C call
        sources = [str(path.relative_to(ROOT)) for path in NATIVE["sources"](ROOT / "intent")]
        return list(mypycify(sources, opt_level="3"))
    except (Exception, SystemExit) as exc:  # mypyc missing, or it refused a construct
        print(f"tradeassist: parser not compiled ({exc}); pure Python", file=sys.stderr)
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
