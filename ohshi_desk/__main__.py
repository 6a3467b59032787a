"""Entry point: ``ohshi-desk`` opens the wizard; ``ohshi-desk compute …`` runs the command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("compute", "export", "-h", "--help"):
        from .core.cli import run

        return run(argv)
    if "--self-test" in argv:
        from .ui.selftest import run_self_test

        return run_self_test()
    try:
        from .ui.app import run_app
    except ImportError:
        from .core.cli import run

        return run(argv)
    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
