"""The headless face: `hazardmap <command>`. Chinese output; exit 0 on success, 2 with a one-line
reason on bad input. Commands that need a window (gui, screenshot, ...) are only declared here;
hazardmap.launcher hands them to the Qt face so this package never imports Qt."""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Callable

from hazardmap import __version__
from hazardmap.cli.parser import ChineseArgumentParser, output_options, whole_number
from hazardmap.domain.errors import HazardmapError
from hazardmap.files import os_reason

__all__ = ["ChineseArgumentParser", "build_parser", "command_group", "guarded", "main", "parse", "run"]

# Each module has register(subparsers); its handlers take (args, store) and return an exit code.
COMMAND_MODULES = ["points", "rain_gauges", "export_print", "patrol", "mapping", "backup", "key_lists", "fund",
                   "rain", "layers", "db"]


def command_group(sub, name: str, help: str) -> argparse._SubParsersAction:
    """A shared parent command (e.g. `export`, `import`) that several feature modules add to."""
    # Kept on the subparsers object itself: a module-level dict keyed by id(sub) handed a new parser
    # the group of a garbage-collected one whenever Python reused the id (a flaky test failure).
    groups = sub.__dict__.setdefault("_hazardmap_groups", {})
    if name not in groups:
        parent = sub.add_parser(name, help=help)
        groups[name] = parent.add_subparsers(dest=f"{name}_command", required=True,
                                             parser_class=ChineseArgumentParser)
    return groups[name]


def declare_window_commands(sub) -> None:
    g = sub.add_parser("gui", help="打开桌面程序（不带命令时也打开）")
    g.set_defaults(face="qt")
    s = sub.add_parser("screenshot", help="无界面渲染主窗口（地图就绪后）并保存为 PNG")
    output_options(s, "输出的 .png 文件", mask_phones=None)
    s.add_argument("--width", type=whole_number, default=1400, help="窗口宽度（像素），默认 1400")
    s.add_argument("--height", type=whole_number, default=900, help="窗口高度（像素），默认 900")
    s.set_defaults(face="qt")
    t = sub.add_parser("selftest", help="自检：新建临时数据库、渲染地图、导出明白卡并逐项检查")
    t.add_argument("--skip-map", action="store_true",
                   help="跳过离线地图检查（用于无法运行 QtWebEngine 的环境，如 Wine），结果注明“跳过”")
    t.add_argument("--skip-pdf-view", action="store_true",
                   help="跳过用 QtPdf 回读明白卡（明白卡照常导出检查；用于 Wine），结果注明“跳过”")
    t.set_defaults(face="qt")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="hazardmap", description="衡南县地质灾害隐患点监测")
    parser.add_argument("--version", action="version", version=f"hazardmap {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    declare_window_commands(sub)
    for name in COMMAND_MODULES:
        importlib.import_module(f"hazardmap.cli.{name}").register(sub)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    args = build_parser().parse_args(argv or ["gui"])
    if not getattr(args, "face", None):
        args.face = "cli"
    return args


def run(args: argparse.Namespace) -> int:
    from hazardmap.paths import user_home
    from hazardmap.services.store import open_store

    if getattr(args, "home_handler", None):  # backup commands: must work on a damaged database
        return args.home_handler(args, user_home())
    store = open_store()
    for warning in store.warnings:  # e.g. the database is on a network share
        print(f"警告：{warning}", file=sys.stderr)
    try:
        return args.handler(args, store)
    finally:
        store.close()


def error_line(exc: BaseException) -> str:
    """The one Chinese line a user sees for an error they can act on (never its English text)."""
    if isinstance(exc, HazardmapError):
        from hazardmap.cli.errors import message

        return f"错误：{message(exc)}"
    if isinstance(exc, OSError):
        return f"错误：“{exc.filename}”：{os_reason(exc)}" if exc.filename else f"错误：{os_reason(exc)}"
    raise TypeError(exc)


CONFLICT_EXIT = 3  # an edit refused because another desk changed the record first (scripts can retry)


def guarded(call: Callable[[], int]) -> int:
    """Run a face and turn what users cause (bad input, a read-only folder, a full disk, Ctrl+C, a closed
    pipe as in `points --format csv | head -1`) into one Chinese line and an exit code, no traceback."""
    try:
        try:
            return call()
        finally:
            sys.stdout.flush()  # small outputs reach a closed pipe only here
    except BrokenPipeError:
        _stdout_to_devnull()
        return 1  # what Python's own documentation does on EPIPE; nothing is printed
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except (HazardmapError, OSError) as exc:
        print(error_line(exc), file=sys.stderr)
        from hazardmap.domain.errors import EditConflict

        return CONFLICT_EXIT if isinstance(exc, EditConflict) else 2


def _stdout_to_devnull() -> None:
    """The reader has gone: point stdout at devnull so the interpreter's last flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (a test's capture)
        pass


def main(argv: list[str] | None = None) -> int:
    return guarded(lambda: run(parse(sys.argv[1:] if argv is None else argv)))
