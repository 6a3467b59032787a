"""The command line refuses what it does not know with exit 2, the usage and a Japanese line — it never takes an
unknown command for a file to open in the window (which, without a display, never returns)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ohshi_desk.__main__ import main


def _japanese_only(text: str) -> bool:
    return not re.search(r"\b(argument|invalid|choose|required|unrecognized|usage)\b", text)


@pytest.mark.parametrize("argv", [["submit", "BOOK.xlsx", "--scans", "DIR"], ["help"], ["computee", "a.json"]])
def test_an_unknown_command_exits_2_with_the_usage(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"「{argv[0]}」というコマンドはありません" in err and "使い方:" in err and _japanese_only(err)


@pytest.mark.parametrize(("argv", "words"), [
    (["compute"], "ファイルの指定が足りません"),
    (["export", "a.json"], "-o で書き出し先を指定してください"),
    (["compute", "a.json", "--frobnicate"], "知らない指定があります: --frobnicate"),
    (["compute", "a.json", "--as-of"], "値がありません"),
])
def test_a_wrong_option_is_said_in_japanese(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and _japanese_only(err), err


def test_an_unknown_command_does_not_start_the_window_in_a_subprocess():
    # no QT_QPA_PLATFORM: were the window started, this would wait for a display (the timeout fails the test)
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "submit", "BOOK.xlsx"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert proc.returncode == 2 and "というコマンドはありません" in proc.stderr
    # prepare is a command now (issue 29): without a display it neither waits for one nor starts the window
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "prepare", "BOOK.xlsx"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert proc.returncode == 2 and "「BOOK.xlsx」が見つかりません" in proc.stderr


def test_a_file_name_is_still_opened_by_the_window(monkeypatch, tmp_path):
    opened = []
    import ohshi_desk.ui.app as app

    monkeypatch.setattr(app, "run_app", lambda argv: opened.append(argv) or 0)
    assert main([str(tmp_path / "case.ohshi.json")]) == 0 and main(["book.xlsx"]) == 0
    assert opened == [[str(tmp_path / "case.ohshi.json")], ["book.xlsx"]]
