"""The environment the benchmarks run both programs in: offscreen, and a fresh settings, cache and data folder,
so that a window size saved by an earlier session (a bigger window paints more and holds more memory) or an
old rules cache does not tilt the figures. The warm-up runs fill the rules cache, as a user's first start does."""

import os
import tempfile
from pathlib import Path


def clean_env() -> dict[str, str]:
    home = Path(tempfile.mkdtemp(prefix="ohshi-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("OHSHI_CACHE_DIR", "OHSHI_DATA_DIR", "OHSHI_RULES_DIR")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_DATA_HOME=str(home / "data"))
    return env
