"""The CLI speaks Chinese: argparse's own messages and help, OS errors, Ctrl+C, a closed pipe; no
traceback and no English text for anything a user causes."""
from __future__ import annotations

import argparse
import ast
import errno
import inspect
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

ENGLISH = re.compile(r"usage:|arguments|options:|invalid|required|unrecognized|expected|choose from|error:|"
                     r"show this help|Traceback|Error")


@pytest.mark.parametrize("argv,expected", [
    (["monitor", "set"], "缺少必需的参数：--point"),
    (["export"], "缺少必需的参数：子命令"),
    (["import", "logs"], "缺少必需的参数：文件"),
    (["patrol", "edit"], "缺少必需的参数：记录编号"),
    (["nosuch"], "参数 命令：无效的选项“nosuch”"),
    (["points", "--format", "xml"], "参数 --format：无效的选项“xml”（可选：'table', 'csv', 'json'）"),
    (["points", "--bogus"], "无法识别的参数：--bogus"),
    (["patrol", "list", "--point"], "参数 --point：需要一个值"),
    (["export", "sheets", "--out", "x", "--copies", "abc"], "参数 --copies：“abc”不是整数"),
    (["screenshot", "--out", "a.png", "--width", "wide"], "参数 --width：“wide”不是整数"),
    (["export", "map", "--out", "a.pdf", "--paper", "A9"], "无效的选项“A9”"),
])
def test_argparse_messages_are_chinese(cli, argv, expected):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("参数有误：") and expected in err and err.count("\n") == 1, err
    assert not ENGLISH.search(err), err


@pytest.mark.parametrize("argv", [["--help"], ["export", "--help"], ["export", "logs", "--help"],
                                  ["patrol", "edit", "--help"], ["locate", "--help"]])
def test_help_is_chinese(cli, argv):
    code, out, _ = cli(*argv)
    assert code == 0 and out.startswith("用法：hazardmap")
    assert "显示本帮助并退出" in out and "选项" in out
    assert not ENGLISH.search(out), out
    assert not re.search(r"--[a-z-]+ [A-Z_]{2,}", out), out  # no English value names such as --out OUT


def test_top_level_help_lists_commands_and_version(cli):
    _, out, _ = cli("--help")
    assert "位置参数" in out and "显示版本号并退出" in out and "export     导出" in out


def test_help_columns_line_up_in_screen_width(cli):
    from hazardmap.cli.parser import display_width

    _, out, _ = cli("export", "logs", "--help")
    starts = {line.strip().split()[0]: display_width(line) - display_width(line.split("  ")[-1].strip())
              for line in out.splitlines() if line.startswith("  --")}
    assert len(set(starts.values())) == 1, starts  # every help text begins in the same column


def test_every_argparse_message_of_this_python_is_translated():
    """Messages a newer Python's argparse adds must be added to the table (else they show in English)."""
    from hazardmap.cli.parser import MESSAGES

    tree = ast.parse(inspect.getsource(argparse))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    assert len(found) > 30
    assert sorted(found - set(MESSAGES)) == []


def test_other_argparse_users_keep_english(cli):
    cli("nosuch")  # our parser has run in this process
    other = argparse.ArgumentParser(prog="other")
    assert "usage: other" in other.format_help() and "show this help message and exit" in other.format_help()


def test_an_os_error_outside_the_writer_is_one_chinese_line(cli, monkeypatch):
    import hazardmap.services.store as store_module

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "/data/hazardmap.sqlite3")

    monkeypatch.setattr(store_module, "open_store", denied)
    code, out, err = cli("points")
    assert code == 2 and out == ""
    assert err == "错误：“/data/hazardmap.sqlite3”：没有权限，或文件正被其他程序（如 Excel）打开\n"


def test_ctrl_c_is_one_chinese_line(cli, monkeypatch):
    import hazardmap.cli.points as points_cli

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(points_cli.reg, "points_in_view", interrupted)
    code, out, err = cli("points")
    assert code == 130 and err == "已中断\n"


def _env(home) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HAZARDMAP_HOME": str(home)}


def test_a_closed_pipe_ends_quietly(home):
    """The reader is gone before the first write (as when `head` has had its line): no traceback."""
    run = subprocess.Popen([sys.executable, "-m", "hazardmap", "points", "--format", "csv"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=_env(home))
    run.stdout.close()
    _, err = run.communicate(timeout=120)
    assert err.decode("utf-8") == "" and run.returncode == 1


def test_points_csv_through_head(home):
    shell = f"'{sys.executable}' -m hazardmap points --format csv | head -1"
    run = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, env=_env(home), timeout=120)
    assert run.stdout.decode("utf-8").startswith("序号,") and run.stdout.count(b"\n") == 1
    assert run.stderr == b"" and run.returncode in (0, 1)
