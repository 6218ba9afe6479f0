"""Errors carry a message in Chinese that can be shown to a user as it is, and the facts behind it
as fields. The message names no command-line flag and no button: the CLI adds the remedy in its own
words (hazardmap.cli.errors), the window offers its own buttons.

Most errors are declared by their fields and a message template formatted from them (`declared`);
one whose wording depends on its fields in other ways overrides `_message()` instead."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, fields
from typing import dataclass_transform


class HazardmapError(Exception):
    """Base: str(error) is the one-line Chinese reason."""

    template = ""

    def __post_init__(self) -> None:
        # run by the __init__ of a declared error (never by Exception's own)
        Exception.__init__(self, self._message())

    def _message(self) -> str:
        return self.template.format_map(_Shown(self))


class _Shown:
    """An error's attributes as its template shows them: a list by its items joined with 、 (无 when empty)."""

    def __init__(self, error: HazardmapError) -> None:
        self.error = error

    def __getitem__(self, name: str) -> object:
        value = getattr(self.error, name)
        return ("、".join(map(str, value)) or "无") if isinstance(value, list) else value


@dataclass_transform(eq_default=False)
def declared(template: str = ""):
    """Makes an error class a dataclass of its annotated fields whose message is template formatted
    from them ({name}; a list field shows its items joined by 、); without a template, the class
    inherits its base's. eq=False keeps it hashable."""
    def make(cls):
        if template:
            cls.template = template
        return dataclass(eq=False)(cls)
    return make


class InvalidInput(HazardmapError):
    pass


class NotFound(HazardmapError):
    """what: the kind of record in Chinese (e.g. "隐患点"); key: how it was asked for (for a declared
    subclass, its first field)."""

    what = ""
    key: object = None

    def __init__(self, message: str, *, what: str = "", key: object = None) -> None:
        super().__init__(message)
        self.what, self.key = what, key

    def __post_init__(self) -> None:
        self.key = getattr(self, fields(self)[0].name)
        super().__post_init__()


class Ambiguous(HazardmapError):
    """text matched several candidates (e.g. a village name found in two townships)."""

    def __init__(self, message: str, candidates: list, *, text: str = "") -> None:
        super().__init__(message)
        self.candidates = candidates
        self.text = text


@declared("位置（经度 {lon:.6f}，纬度 {lat:.6f}）在衡南县界以外")
class OutsideCounty(InvalidInput):
    """A position outside the county outline: allowed only when the user insists (force)."""
    lon: float
    lat: float


class FieldInvalid(InvalidInput):
    """One field of a record is wrong; field: its key (e.g. "township"), so a dialog can mark it."""

    field = ""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@declared("电话号码“{phone}”格式不对：应为以1开头的11位手机号，或如 0734-1234567 的座机号")
class BadPhone(FieldInvalid):
    phone: str
    field: str = "phone"


# ---- the register of points ---------------------------------------------------------------------

@declared("统一编号“{code}”已用于第 {seq} 号隐患点，不能重复")
class DuplicateCode(FieldInvalid):
    """统一编号 is unique: seq already carries it."""
    code: str
    seq: int
    field = "unified_code"


@declared("“{name}”不是衡南县的乡镇（街道）：请从 23 个乡镇街道中选择")
class UnknownTownship(FieldInvalid):
    name: str
    field = "township"


@declared()
class VillageNotInTownship(FieldInvalid):
    """village_code is unknown (township None) or lies in another township."""
    village: str
    township: str
    actual_township: str | None
    field = "village_code"

    def _message(self) -> str:
        if self.actual_township:
            return f"“{self.village}”属于{self.actual_township}，不在{self.township}：请选{self.township}的村"
        return f"村庄名录中{self.township}没有“{self.village}”：请选{self.township}的村"


@declared("核销隐患点必须写明核销原因（例如“已完成工程治理”）")
class RetireWithoutReason(FieldInvalid):
    field = "retire_reason"


@declared("第 {seq} 号隐患点{status_label}，无需{verb}")
class WrongStatus(InvalidInput):
    """Retiring a retired point or restoring one that is on the register."""
    seq: int
    status_label: str
    verb: str


# ---- records and edits (the storage seam, concurrent edits, undo) ------------------------------

@declared("没有第 {seq} 号隐患点（现有 {count} 处，编号 {lowest}～{highest}）")
class PointNotFound(NotFound):
    seq: int
    count: int
    lowest: int | None
    highest: int | None
    what = "隐患点"


@declared("没有编号为 {number} 的{what}")
class NumberNotFound(NotFound):
    """A record asked for by its number (编号); a subclass names its kind (what)."""
    number: int


class EntryNotFound(NumberNotFound):
    what = "巡查记录"


@declared("没有{year}年的重点隐患点名单（现有：{years}）{purpose}")
class KeyListNotFound(NotFound):
    year: int
    years: list[int]
    _: KW_ONLY
    purpose: str = ""   # what could not be done without it, with its leading comma
    what = "重点隐患点名单"


@declared("没有名为“{name}”的参考图层（现有：{names}）")
class LayerNotFound(NotFound):
    name: str
    names: list[str]
    what = "参考图层"


@declared("没有第 {slot} 号雨量计站点（共 {total} 个，编号 1～{total}）")
class SlotNotFound(NotFound):
    slot: int
    total: int
    what = "雨量计站点"


@declared("第 {seq} 号隐患点没有{what}记录，无可撤销")
class NothingToUndo(InvalidInput):
    """what: whose history is empty, e.g. "位置修改" of point 3."""
    seq: int
    what: str


@declared("巡查记录 {entry_id} 在回收站中，不能{verb}；请先从回收站恢复")
class EntryInBin(InvalidInput):
    """A patrol entry in the 回收站 cannot be changed until it is restored."""
    entry_id: int
    verb: str


@declared("巡查记录 {entry_id} 不在回收站中，无需恢复")
class NotInBin(InvalidInput):
    entry_id: int


@declared("{village} 已是第 {slot} 号雨量计站点；一个村只装一台")
class VillageTaken(InvalidInput):
    """One village, one rain gauge: the village already has the gauge of another slot."""
    village: str
    slot: int


@declared("站码 {code} 已是第 {slot} 号雨量计站点的站码")
class StationCodeTaken(InvalidInput):
    """站码 identifies one station: another site (in use or retired) already has it."""
    code: str
    slot: int


@declared("第 {slot} 号雨量计站点已撤除，不能{verb}；请先恢复该站点")
class SiteRetired(InvalidInput):
    """A retired rain-gauge site is not changed until it is restored."""
    slot: int
    verb: str


@declared("第 {slot} 号雨量计站点没有撤除，无需恢复")
class SiteNotRetired(InvalidInput):
    slot: int


@declared("第 {slot} 号雨量计站点尚未落实村庄，没有可撤除的雨量计")
class SiteUnassigned(InvalidInput):
    """A programme slot with no village yet has no gauge to retire."""
    slot: int


@declared("{what}已被他人修改（另一窗口或另一台电脑），本次操作未保存")
class StaleEdit(HazardmapError):
    """The record changed since the state this edit (or undo) was made from: refused, nothing written.
    what: the record in Chinese (e.g. "巡查记录 12")."""
    what: str


def short_time(iso: str) -> str:
    """'2026-05-01T08:00:12+08:00' -> '2026-05-01 08:00' (what a person reads)."""
    return iso[:16].replace("T", " ") if len(iso) >= 16 and iso[10:11] == "T" else iso


class EditConflict(StaleEdit):
    """An edit made from a version of the record that is no longer the current one (another desk saved
    in between): refused, nothing written. theirs: (who, when) of the change that made the record newer
    (None when unknown); mine: what this edit would have written (Chinese field name -> value), so a
    face can show both and offer to keep theirs or apply mine (applying mine = the same edit again,
    made from the current version). theirs_now: the same fields' values as stored now."""

    def __init__(self, what: str, *, base_version: int, current_version: int, theirs: tuple[str, str] | None,
                 mine: dict[str, object] | None = None, mine_by: str = "",
                 theirs_now: dict[str, object] | None = None) -> None:
        self.base_version, self.current_version = base_version, current_version
        self.theirs, self.mine, self.mine_by = theirs, dict(mine or {}), mine_by
        self.theirs_now = dict(theirs_now or {})
        who = f"{theirs[0]} 于 {short_time(theirs[1])}" if theirs else "他人"
        shown = "、".join(f"{k}→{v if v not in (None, '') else '（空）'}" for k, v in list(self.mine.items())[:3])
        shown += " 等" if len(self.mine) > 3 else ""
        mine_text = f"您（{mine_by}）的修改（{shown}）" if shown and mine_by else "您的修改"
        HazardmapError.__init__(
            self, f"{what}已被 {who} 修改（您编辑时是第 {base_version} 版，现在是第 {current_version} 版），"
                  f"{mine_text}未保存：请查看对方的修改后再决定保留对方的还是重新应用您的")
        self.what = what


# ---- The data folder and the database file (integrity) ------------------------------------------
# Raised before anything is written: the faces word the remedy their own way (a command, a button).

class StorageError(HazardmapError):
    """The data folder or a file in it cannot be used as it is (damaged, read-only, full)."""


@declared("数据文件夹 {path} 无法使用：{reason}")
class DataFolderUnusable(StorageError):
    path: object
    reason: str


class DiskFull(StorageError):
    """No space left where the database or a backup is written."""


class DatabaseDamaged(StorageError):
    """The database file fails SQLite's check (or is empty, cut short, or not a database at all).
    detail: Chinese; technical: SQLite's own words, for a technician; newest_good_backup: a Path or None."""

    def __init__(self, path, detail: str, newest_good_backup=None, technical: str = "") -> None:
        self.path = path
        self.detail = detail
        self.newest_good_backup = newest_good_backup
        self.technical = technical
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"数据库文件 {self.path} 已损坏（{self.detail}）；为保护数据，本软件没有对它做任何写入"
        if self.newest_good_backup is not None:
            return f"{text}。最新的完好备份是 {self.newest_good_backup.name}"
        return f"{text}。没有找到完好的备份：请不要删除该文件，交技术人员处理"

    def with_backup(self, newest_good_backup) -> "DatabaseDamaged":
        return DatabaseDamaged(self.path, self.detail, newest_good_backup, self.technical)


# ---- Files the app writes (hazardmap.files) ----------------------------------------------------

class FileExists(HazardmapError):
    """Writing would replace files the user already has: refused, nothing written. Each face words the
    remedy its own way (the CLI names --force; the window's save dialog asks before replacing)."""

    def __init__(self, paths) -> None:
        from pathlib import Path

        self.paths = tuple(Path(p) for p in paths)
        super().__init__(f"{self.names}已存在，未做任何改动")

    @property
    def names(self) -> str:
        shown = "、".join(f"“{p.name}”" for p in self.paths[:3])
        return shown + (f" 等 {len(self.paths)} 个文件" if len(self.paths) > 3 else "")


@declared("无法写入“{path}”：{reason}")
class WriteFailed(HazardmapError):
    """The operating system refused a write (read-only folder, disk full, file open elsewhere...);
    nothing was left behind. reason: the cause in Chinese; errno: the OS error number, if any."""
    path: object
    reason: str
    errno: int | None = None


# ---- A database server (PostgreSQL) -------------------------------------------------------------

@declared("无法连接数据库服务器（{where}），本次操作没有生效：请检查网络或服务器，恢复后重试")
class ServerUnavailable(StorageError):
    """The database server cannot be reached or went away during a step: the step is not applied
    (its transaction is rolled back by the server); the next step reconnects."""
    where: str
    technical: str = ""


@declared("当前以只读身份（{user}）连接数据库服务器，不能修改数据；如需编辑请用编辑账号连接")
class ReadOnlyAccess(StorageError):
    """Connected with a read-only (viewer) role: nothing can be changed from this desk."""
    user: str


@declared("复制数据时核对不一致（表 {table}：应有 {expected} 行，实有 {got} 行或内容不同），目标数据库没有任何改动")
class CopyMismatch(StorageError):
    """A copy between databases read back differently from its source: nothing was committed."""
    table: str
    expected: int
    got: int


@declared("目标数据库（{where}）已有数据（{points} 个隐患点），未做任何改动")
class TargetNotEmpty(StorageError):
    """A copy would replace the data a database already holds."""
    where: str
    points: int


# ---- the year's programme (fund plan, works, 三查, subsidies) -----------------------------------

@declared("没有 {year} 年的资金使用方案（已有：{years}）")
class FundYearNotFound(NotFound):
    year: int
    years: list[int]
    what = "资金使用方案"


@declared("{year} 年度已于 {closed_on} 结账关闭，不能再登记或修改；如确需改动，请先重新打开该年度")
class YearClosed(InvalidInput):
    """A closed (结账) year takes no more spending or records until it is reopened."""
    year: int
    closed_on: str


@declared("{year} 年资金方案没有“{text}”这一项（可选：{codes}）")
class LineNotFound(NotFound):
    text: str   # what the user wrote
    year: int
    codes: list[str]
    what = "资金项目"


@declared("{label}余额只有 {balance} 元，本笔 {amount} 元将超支：超支须写明原因")
class Overspent(FieldInvalid):
    """Spending past a line's budget needs a written reason."""
    label: str
    balance: str
    amount: str
    field = "over_reason"


class WorkNotFound(NumberNotFound):
    what = "排危除险工程"


@declared("{township}{year}年的{phase}已于 {done_on} 登记过，不能重复登记")
class PhaseRecorded(InvalidInput):
    """One record per township, phase and year."""
    township: str
    phase: str
    year: int
    done_on: str


class SpendingNotFound(NumberNotFound):
    what = "支出记录"


class PlanLinesRefused(InvalidInput):
    """A year's plan lines (typed or from a spreadsheet) with rows that cannot be taken: all are named,
    nothing is written."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        where = f"“{source}”" if source else "计划项目"
        shown = "；".join(problems[:8]) + (f"；另有 {len(problems) - 8} 行" if len(problems) > 8 else "")
        super().__init__(f"{where}有 {len(problems)} 行不能用，未做任何改动：{shown}")
        self.problems, self.source = problems, source


@declared("{year} 年的资金使用方案已经建立过了")
class FundYearExists(InvalidInput):
    year: int


@declared()
class OutsideFundYear(FieldInvalid):
    """A payment dated outside its fund year. One dated after it may belong to it (money is often paid
    the next year: the 2023 plan itself was issued in April 2024) once the user confirms so; one dated
    before the year began never does."""
    year: int
    day: str
    _: KW_ONLY
    after: bool
    field = "spent_on"

    def _message(self) -> str:
        year, day = self.year, self.day
        if self.after:
            return (f"支出日期 {day} 已在 {year} 年之后：如这笔钱确属 {year} 年度资金（跨年支付），请确认后再登记；"
                    f"否则请登记到 {day[:4]} 年度")
        return f"支出日期 {day} 早于 {year} 年：{year} 年度资金的支出不能早于 {year}-01-01"


class LayerUnreadable(InvalidInput):
    """A GIS file that cannot be read as it is (a .shp without its .dbf, a KMZ that is not a zip, a
    file GDAL refuses); nothing was imported."""

    def __init__(self, path, reason: str) -> None:
        from pathlib import Path

        self.path = Path(path)
        self.reason = reason
        super().__init__(f"无法读取“{self.path.name}”：{reason}")


class CrsNeeded(InvalidInput):
    """The file does not say its coordinate system and none was chosen. suggestion: a likely choice
    read from the numbers (e.g. "EPSG:4526"), or ""."""

    def __init__(self, name: str, suggestion: str = "", why: str = "") -> None:
        self.suggestion = suggestion
        hint = f"看坐标数值像是 {suggestion}（{why}）。" if suggestion else ""
        super().__init__(f"“{name}”没有说明坐标系：请选择坐标系（WGS-84、国家2000、GCJ-02、BD-09 或 EPSG 代码）。{hint}")


class ImportRefused(InvalidInput):
    """Rows that cannot be imported (all-or-nothing): each named by its row number; nothing was written."""

    def __init__(self, name: str, bad: list) -> None:
        self.bad = list(bad)
        shown = "；".join(str(b) for b in self.bad[:5])
        more = f"；另有 {len(self.bad) - 5} 行" if len(self.bad) > 5 else ""
        super().__init__(f"“{name}”有 {len(self.bad)} 行不能导入，未做任何改动：{shown}{more}")
