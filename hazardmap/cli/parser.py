"""argparse speaking Chinese: its own messages (usage, required arguments, invalid choices, help titles)
translated where argparse looks them up, through its gettext hook `argparse._` / `argparse.ngettext`.

The hook is switched on only while one of our parsers is building, parsing or formatting (a per-thread
depth counter), so other argparse users in the same process (pytest, a host application) keep their
own language. Messages this table does not know stay as argparse wrote them; tests/test_cli_zh.py
checks that every message the running Python's argparse can produce is in the table.
"""
from __future__ import annotations

import argparse
import functools
import gettext
import threading
import unicodedata

# argparse msgid -> Chinese. %-placeholders keep their names; %r may become %s inside Chinese quotes.
MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",  # Python < 3.10
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "subcommands": "子命令",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项“%(value)s”（可选：%(choices)s）",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "无效的选项“%(value)s”，是否想用“%(closest)s”？（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的取值“%(value)s”",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值“%s”",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令“%(parser_name)s”（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    'argument "-" with mode %r': "参数“-”不能以 %s 模式打开",
    "cannot have multiple subparser arguments": "不能有多个子命令参数",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已不再推荐使用",
    "option '%(option)s' is deprecated": "选项“%(option)s”已不再推荐使用",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已不再推荐使用",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    # Mistakes in the parser's own definition (a programmer's, never a user's), translated all the same.
    ".__call__() not defined": ".__call__() 未定义",
    "conflicting subparser: %s": "子命令重复：%s",
    "conflicting subparser alias: %s": "子命令别名重复：%s",
    "cannot merge actions - two groups are named %r": "无法合并：两个参数组都名为 %s",
    "'required' is an invalid argument for positionals": "位置参数不能设 required",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "无效的选项名 %(option)s：必须以 %(prefix_chars)s 开头",
    "dest= is required for options like %r": "选项 %s 需要给出 dest=",
    "invalid conflict_resolution value: %r": "无效的 conflict_resolution 值：%s",
    "conflicting option string: %s": "选项重复：%s",
    "conflicting option strings: %s": "选项重复：%s",
    "mutually exclusive arguments must be optional": "互斥参数必须是选项",
    "%r is not callable": "%s 不可调用",
    "%(type)r is not callable": "%(type)s 不可调用",
}

_state = threading.local()
_installed = False
_install_lock = threading.Lock()


def _active() -> bool:
    return getattr(_state, "depth", 0) > 0


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message) if _active() else gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if _active():
        key = singular if n == 1 else plural
        return MESSAGES.get(key, key)
    return gettext.ngettext(singular, plural, n)


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            argparse._ = _gettext
            argparse.ngettext = _ngettext
            _installed = True


def _chinese(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        _install()
        _state.depth = getattr(_state, "depth", 0) + 1
        try:
            return method(*args, **kwargs)
        finally:
            _state.depth -= 1
    return wrapper


# The word shown for an option's value in usage and help (argparse would print the option's name in
# capitals: --out OUT). By dest; anything not listed shows 值.
METAVARS = {
    "out": "文件", "file": "文件", "point": "序号", "since": "日期", "until": "日期", "township": "乡镇",
    "copies": "份数", "month": "年-月", "at": "时间", "by": "姓名", "operator": "姓名", "name": "名称",
    "judgement": "判定", "weather": "天气", "rain_mm": "毫米", "crack_mm": "毫米", "signs": "迹象",
    "action": "措施", "note": "备注", "photo": "照片", "flood_days": "天数", "other_days": "天数",
    "phone": "电话", "lon": "经度", "lat": "纬度", "datum": "坐标系", "source": "来源", "slot": "编号",
    "village": "村", "id": "记录编号", "width": "像素", "height": "像素", "tianditu_key": "密钥",
}


def display_width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two (argparse counts one)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Chinese value names, and columns measured in screen width so the help text lines up."""

    def _get_default_metavar_for_optional(self, action):
        return METAVARS.get(action.dest, "值")

    def _get_default_metavar_for_positional(self, action):
        return METAVARS.get(action.dest, action.dest)

    def add_argument(self, action):
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            widths = [display_width(self._format_action_invocation(a)) + self._current_indent
                      for a in [action, *self._iter_indented_subactions(action)]]
            self._action_max_length = max(self._action_max_length, *widths)

    def _format_action(self, action):
        text = super()._format_action(action)
        lead = " " * self._current_indent + self._format_action_invocation(action)
        extra = display_width(lead) - len(lead)
        if extra and text.startswith(lead + "  ") and not text.startswith(lead + "\n"):
            spaces = len(text[len(lead):]) - len(text[len(lead):].lstrip(" "))
            text = lead + text[len(lead) + min(extra, spaces - 2):]  # padded by characters: pad by columns
        return text

    def _split_lines(self, text, width):
        """Wrap at screen width: between any two Chinese characters, at spaces between other words."""
        lines, line, used = [], "", 0
        for token in _tokens(" ".join(text.split())):
            w = display_width(token)
            if token == " ":
                if line:
                    line, used = line + " ", used + 1
                continue
            if used + w > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + token, used + w
        lines.append(line.rstrip())
        return lines


def _tokens(text: str):
    """Words of narrow characters, single wide characters, single spaces."""
    word = ""
    for ch in text:
        if ch == " " or display_width(ch) == 2:
            if word:
                yield word
                word = ""
            yield ch
        else:
            word += ch
    if word:
        yield word


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose messages and help are in Chinese; bad arguments end in one Chinese line
    and exit code 2. Sub-parsers made from it are of the same class."""

    @_chinese
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)

    @_chinese
    def add_subparsers(self, **kwargs):
        kwargs.setdefault("metavar", "子命令")  # else "missing: export_command" names an internal dest
        return super().add_subparsers(**kwargs)

    @_chinese
    def add_argument(self, *args, **kwargs):
        # A positional's name appears in messages ("缺少必需的参数：文件"): in Chinese where we have one.
        if args and not args[0].startswith(tuple(self.prefix_chars)) and "metavar" not in kwargs:
            if args[0] in METAVARS and not kwargs.get("choices"):
                kwargs["metavar"] = METAVARS[args[0]]
        return super().add_argument(*args, **kwargs)

    parse_args = _chinese(argparse.ArgumentParser.parse_args)
    parse_intermixed_args = _chinese(argparse.ArgumentParser.parse_intermixed_args)
    add_argument_group = _chinese(argparse.ArgumentParser.add_argument_group)
    add_mutually_exclusive_group = _chinese(argparse.ArgumentParser.add_mutually_exclusive_group)
    parse_known_args = _chinese(argparse.ArgumentParser.parse_known_args)
    parse_known_intermixed_args = _chinese(argparse.ArgumentParser.parse_known_intermixed_args)
    format_usage = _chinese(argparse.ArgumentParser.format_usage)
    format_help = _chinese(argparse.ArgumentParser.format_help)

    @_chinese
    def error(self, message: str):
        self.exit(2, f"参数有误：{message}（用 {self.prog} --help 查看用法）\n")


def whole_number(text: str) -> int:
    """type= for whole-number options: a Chinese message instead of argparse's "invalid int value"."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


# Options many commands share, worded once so every command says the same thing.

def point_option(parser: argparse.ArgumentParser, help: str = "隐患点序号") -> None:
    parser.add_argument("--point", required=True, metavar="序号", help=help)


def operator_option(parser: argparse.ArgumentParser, help: str = "操作人（默认为当前系统用户）") -> None:
    parser.add_argument("--by", metavar="操作人", help=help)


def output_options(parser: argparse.ArgumentParser, out_help: str, *, mask_phones: str | None,
                   out_metavar: str = "文件") -> None:
    """--out and --force, and --mask-phones where the output may leave the bureau (its help says for
    whom)."""
    parser.add_argument("--out", required=True, metavar=out_metavar, help=out_help)
    parser.add_argument("--force", action="store_true", help="覆盖已存在的同名文件")
    if mask_phones is not None:
        parser.add_argument("--mask-phones", action="store_true", help=f"电话隐去中间四位（{mask_phones}）")


def add_command(sub, name: str, help: str, handler, *options) -> argparse.ArgumentParser:
    """A subcommand with its handler and the shared options given (e.g. point_option, operator_option);
    the caller adds the options of its own to the parser returned."""
    parser = sub.add_parser(name, help=help)
    for add_option in options:
        add_option(parser)
    parser.set_defaults(handler=handler)
    return parser
