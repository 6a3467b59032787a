"""Running LibreOffice headless from tests and tools, each run with a profile of its own (two runs at once — two
developers' suites, or a test and a screenshot tool — never hand their work to each other's soffice)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``soffice --headless ARGS`` with a throw-away profile; raises CalledProcessError on failure."""
    assert SOFFICE, "LibreOffice (soffice) is needed: packaging/setup-linux.sh --test installs it"
    with tempfile.TemporaryDirectory(prefix="ohshi-lo-profile-") as profile:
        return subprocess.run([SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", *args],
                              check=True, capture_output=True, timeout=timeout)
