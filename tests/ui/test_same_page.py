"""The start-up benchmarks' second yardstick (tests/benchmarks/same_page.py) shows the app's first page as the app
does, pixel for pixel: otherwise "the app ÷ the same page" would compare the app with some other page."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAME = ROOT / "tests" / "benchmarks" / "same_page.py"
sys.path.insert(0, str(SAME.parent))

from clean_env import clean_env  # noqa: E402


def test_the_plain_wizard_shows_the_apps_first_page_pixel_for_pixel(tmp_path):
    from PySide6.QtGui import QImage

    env = {**clean_env(), "PYTHONPATH": str(ROOT)}
    spec, app_png, clone_png = tmp_path / "spec.json", tmp_path / "app.png", tmp_path / "clone.png"
    subprocess.run([sys.executable, str(SAME), "--dump", str(spec), "--grab", str(app_png)], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    shown = subprocess.run([sys.executable, str(SAME), str(spec), "--lean", "--grab", str(clone_png)], env=env,
                           cwd=tmp_path, check=True, capture_output=True, text=True, timeout=120)
    assert "smoke: first page shown" in shown.stdout
    app, clone = QImage(str(app_png)), QImage(str(clone_png))
    assert not app.isNull() and app.size() == clone.size()
    assert app.width() > 600 and app.height() > 500  # a window, not an empty picture
    differ = sum(app.pixel(x, y) != clone.pixel(x, y) for y in range(0, app.height()) for x in range(app.width()))
    assert differ == 0, f"{differ} pixels differ"
