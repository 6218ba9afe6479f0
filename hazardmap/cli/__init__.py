"""The headless face: `hazardmap <command>`. Chinese output; exit 0 on success, 2 with a one-line
reason on bad input. Commands that need a window (gui, screenshot, ...) are only declared here;
hazardmap.launcher hands them to the Qt face so this package never imports Qt."""
from __future__ import annotations

import argparse
import importlib
import sys

from hazardmap import __version__
from hazardmap.domain.errors import HazardmapError

# Each module has register(subparsers); its handlers take (args, store) and return an exit code.
COMMAND_MODULES = ["points", "rain_gauges", "export_print", "patrol", "mapping", "backup"]


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own wording stays, framed in Chinese
        self.exit(2, f"参数有误：{message}（用 {self.prog} --help 查看用法）\n")


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
    s.add_argument("--out", required=True)
    s.add_argument("--width", type=int, default=1400)
    s.add_argument("--height", type=int, default=900)
    s.set_defaults(face="qt")
    t = sub.add_parser("selftest", help="自检：新建临时数据库、渲染地图、导出明白卡并逐项检查")
    t.set_defaults(face="qt")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="hazardmap", description="衡南县地质灾害隐患点监测")
    parser.add_argument("--version", action="version", version=f"hazardmap {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=ChineseArgumentParser)
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

    try:
        if getattr(args, "home_handler", None):  # backup commands: must work on a damaged database
            return args.home_handler(args, user_home())
        store = open_store()
        for warning in store.warnings:  # e.g. the database is on a network share
            print(f"警告：{warning}", file=sys.stderr)
        try:
            return args.handler(args, store)
        finally:
            store.close()
    except HazardmapError as exc:
        from hazardmap.cli.errors import message

        print(f"错误：{message(exc)}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    return run(args)
