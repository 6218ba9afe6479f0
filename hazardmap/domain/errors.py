"""Errors carry a message in Chinese that can be shown to a user as it is, and the facts behind it
as fields. The message names no command-line flag and no button: the CLI adds the remedy in its own
words (hazardmap.cli.errors), the window offers its own buttons."""
from __future__ import annotations


class HazardmapError(Exception):
    """Base: str(error) is the one-line Chinese reason."""


class InvalidInput(HazardmapError):
    pass


class NotFound(HazardmapError):
    """what: the kind of record in Chinese (e.g. "隐患点"); key: how it was asked for."""

    def __init__(self, message: str, *, what: str = "", key: object = None) -> None:
        super().__init__(message)
        self.what, self.key = what, key


class Ambiguous(HazardmapError):
    """text matched several candidates (e.g. a village name found in two townships)."""

    def __init__(self, message: str, candidates: list, *, text: str = "") -> None:
        super().__init__(message)
        self.candidates = candidates
        self.text = text


class OutsideCounty(InvalidInput):
    """A position outside the county outline: allowed only when the user insists (force)."""

    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(f"位置（经度 {lon:.6f}，纬度 {lat:.6f}）在衡南县界以外")
        self.lon, self.lat = lon, lat


class FieldInvalid(InvalidInput):
    """One field of a record is wrong; field: its key (e.g. "township"), so a dialog can mark it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class BadPhone(FieldInvalid):
    def __init__(self, phone: str, field: str = "phone") -> None:
        super().__init__(field, f"电话号码“{phone}”格式不对：应为以1开头的11位手机号，或如 0734-1234567 的座机号")
        self.phone = phone


# ---- the register of points ---------------------------------------------------------------------

class DuplicateCode(FieldInvalid):
    """统一编号 is unique: seq already carries it."""

    def __init__(self, code: str, seq: int) -> None:
        super().__init__("unified_code", f"统一编号“{code}”已用于第 {seq} 号隐患点，不能重复")
        self.code, self.seq = code, seq


class UnknownTownship(FieldInvalid):
    def __init__(self, name: str) -> None:
        super().__init__("township", f"“{name}”不是衡南县的乡镇（街道）：请从 23 个乡镇街道中选择")
        self.name = name


class VillageNotInTownship(FieldInvalid):
    """village_code is unknown (township None) or lies in another township."""

    def __init__(self, village: str, township: str, actual_township: str | None) -> None:
        if actual_township:
            text = f"“{village}”属于{actual_township}，不在{township}：请选{township}的村"
        else:
            text = f"村庄名录中{township}没有“{village}”：请选{township}的村"
        super().__init__("village_code", text)
        self.village, self.township, self.actual_township = village, township, actual_township


class RetireWithoutReason(FieldInvalid):
    def __init__(self) -> None:
        super().__init__("retire_reason", "核销隐患点必须写明核销原因（例如“已完成工程治理”）")


class WrongStatus(InvalidInput):
    """Retiring a retired point or restoring one that is on the register."""

    def __init__(self, seq: int, status_label: str, verb: str) -> None:
        super().__init__(f"第 {seq} 号隐患点{status_label}，无需{verb}")
        self.seq, self.status_label, self.verb = seq, status_label, verb


# ---- records and edits (the storage seam, concurrent edits, undo) ------------------------------

class PointNotFound(NotFound):
    def __init__(self, seq: int, count: int, lowest: int | None, highest: int | None) -> None:
        super().__init__(f"没有第 {seq} 号隐患点（现有 {count} 处，编号 {lowest}～{highest}）", what="隐患点", key=seq)
        self.seq = seq


class EntryNotFound(NotFound):
    def __init__(self, entry_id: int) -> None:
        super().__init__(f"没有编号为 {entry_id} 的巡查记录", what="巡查记录", key=entry_id)
        self.entry_id = entry_id


class SlotNotFound(NotFound):
    def __init__(self, slot: int, total: int) -> None:
        super().__init__(f"没有第 {slot} 号雨量计站点（共 {total} 个，编号 1～{total}）", what="雨量计站点", key=slot)
        self.slot = slot


class NothingToUndo(InvalidInput):
    """what: whose history is empty, e.g. "位置修改" of point 3."""

    def __init__(self, seq: int, what: str) -> None:
        super().__init__(f"第 {seq} 号隐患点没有{what}记录，无可撤销")
        self.seq, self.what = seq, what


class EntryInBin(InvalidInput):
    """A patrol entry in the 回收站 cannot be changed until it is restored."""

    def __init__(self, entry_id: int, verb: str) -> None:
        super().__init__(f"巡查记录 {entry_id} 在回收站中，不能{verb}；请先从回收站恢复")
        self.entry_id, self.verb = entry_id, verb


class NotInBin(InvalidInput):
    def __init__(self, entry_id: int) -> None:
        super().__init__(f"巡查记录 {entry_id} 不在回收站中，无需恢复")
        self.entry_id = entry_id


class VillageTaken(InvalidInput):
    """One village, one rain gauge: the village already has the gauge of another slot."""

    def __init__(self, village: str, slot: int) -> None:
        super().__init__(f"{village} 已是第 {slot} 号雨量计站点；一个村只装一台")
        self.village, self.slot = village, slot


class StationCodeTaken(InvalidInput):
    """站码 identifies one station: another site (in use or retired) already has it."""

    def __init__(self, code: str, slot: int) -> None:
        super().__init__(f"站码 {code} 已是第 {slot} 号雨量计站点的站码")
        self.code, self.slot = code, slot


class SiteRetired(InvalidInput):
    """A retired rain-gauge site is not changed until it is restored."""

    def __init__(self, slot: int, verb: str) -> None:
        super().__init__(f"第 {slot} 号雨量计站点已撤除，不能{verb}；请先恢复该站点")
        self.slot, self.verb = slot, verb


class SiteNotRetired(InvalidInput):
    def __init__(self, slot: int) -> None:
        super().__init__(f"第 {slot} 号雨量计站点没有撤除，无需恢复")
        self.slot = slot


class SiteUnassigned(InvalidInput):
    """A programme slot with no village yet has no gauge to retire."""

    def __init__(self, slot: int) -> None:
        super().__init__(f"第 {slot} 号雨量计站点尚未落实村庄，没有可撤除的雨量计")
        self.slot = slot


class StaleEdit(HazardmapError):
    """The record changed since the state this edit (or undo) was made from: refused, nothing written.
    what: the record in Chinese (e.g. "巡查记录 12")."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}已被他人修改（另一窗口或另一台电脑），本次操作未保存")
        self.what = what


def short_time(iso: str) -> str:
    """'2026-05-01T08:00:12+08:00' -> '2026-05-01 08:00' (what a person reads)."""
    return iso[:16].replace("T", " ") if len(iso) >= 16 and iso[10:11] == "T" else iso


class EditConflict(StaleEdit):
    """An edit made from a version of the record that is no longer the current one (another desk saved
    in between): refused, nothing written. theirs: (who, when) of the change that made the record newer
    (None when unknown); mine: what this edit would have written (Chinese field name -> value), so a
    face can show both and offer to keep theirs or apply mine (applying mine = the same edit again,
    made from the current version)."""

    def __init__(self, what: str, *, base_version: int, current_version: int, theirs: tuple[str, str] | None,
                 mine: dict[str, object] | None = None, mine_by: str = "") -> None:
        self.base_version, self.current_version = base_version, current_version
        self.theirs, self.mine, self.mine_by = theirs, dict(mine or {}), mine_by
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


class DataFolderUnusable(StorageError):
    def __init__(self, path, reason: str) -> None:
        super().__init__(f"数据文件夹 {path} 无法使用：{reason}")
        self.path = path
        self.reason = reason


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


class WriteFailed(HazardmapError):
    """The operating system refused a write (read-only folder, disk full, file open elsewhere...);
    nothing was left behind. reason: the cause in Chinese; errno: the OS error number, if any."""

    def __init__(self, path, reason: str, errno: int | None = None) -> None:
        super().__init__(f"无法写入“{path}”：{reason}")
        self.path = path
        self.reason = reason
        self.errno = errno


# ---- A database server (PostgreSQL) -------------------------------------------------------------

class ServerUnavailable(StorageError):
    """The database server cannot be reached or went away during a step: the step is not applied
    (its transaction is rolled back by the server); the next step reconnects."""

    def __init__(self, where: str, technical: str = "") -> None:
        super().__init__(f"无法连接数据库服务器（{where}），本次操作没有生效：请检查网络或服务器，恢复后重试")
        self.where, self.technical = where, technical


class ReadOnlyAccess(StorageError):
    """Connected with a read-only (viewer) role: nothing can be changed from this desk."""

    def __init__(self, user: str) -> None:
        super().__init__(f"当前以只读身份（{user}）连接数据库服务器，不能修改数据；如需编辑请用编辑账号连接")
        self.user = user


class CopyMismatch(StorageError):
    """A copy between databases read back differently from its source: nothing was committed."""

    def __init__(self, table: str, expected: int, got: int) -> None:
        super().__init__(f"复制数据时核对不一致（表 {table}：应有 {expected} 行，实有 {got} 行或内容不同），"
                         "目标数据库没有任何改动")
        self.table, self.expected, self.got = table, expected, got


class TargetNotEmpty(StorageError):
    """A copy would replace the data a database already holds."""

    def __init__(self, where: str, points: int) -> None:
        super().__init__(f"目标数据库（{where}）已有数据（{points} 个隐患点），未做任何改动")
        self.where, self.points = where, points


# ---- the year's programme (fund plan, works, 三查, subsidies) -----------------------------------

class FundYearNotFound(NotFound):
    def __init__(self, year: int, years: list[int]) -> None:
        have = "、".join(str(y) for y in years) or "无"
        super().__init__(f"没有 {year} 年的资金使用方案（已有：{have}）", what="资金使用方案", key=year)
        self.year = year


class YearClosed(InvalidInput):
    """A closed (结账) year takes no more spending or records until it is reopened."""

    def __init__(self, year: int, closed_on: str) -> None:
        super().__init__(f"{year} 年度已于 {closed_on} 结账关闭，不能再登记或修改；如确需改动，请先重新打开该年度")
        self.year, self.closed_on = year, closed_on


class LineNotFound(NotFound):
    def __init__(self, text: str, year: int, codes: list[str]) -> None:
        super().__init__(f"{year} 年资金方案没有“{text}”这一项（可选：{'、'.join(codes)}）", what="资金项目", key=text)
        self.text, self.year, self.codes = text, year, codes


class Overspent(FieldInvalid):
    """Spending past a line's budget needs a written reason."""

    def __init__(self, label: str, balance: str, amount: str) -> None:
        super().__init__("over_reason", f"{label}余额只有 {balance} 元，本笔 {amount} 元将超支：超支须写明原因")
        self.label, self.balance, self.amount = label, balance, amount


class WorkNotFound(NotFound):
    def __init__(self, work_id: int) -> None:
        super().__init__(f"没有编号为 {work_id} 的排危除险工程", what="排危除险工程", key=work_id)
        self.work_id = work_id


class PhaseRecorded(InvalidInput):
    """One record per township, phase and year."""

    def __init__(self, township: str, phase: str, year: int, done_on: str) -> None:
        super().__init__(f"{township}{year}年的{phase}已于 {done_on} 登记过，不能重复登记")
        self.township, self.phase, self.year, self.done_on = township, phase, year, done_on


class SpendingNotFound(NotFound):
    def __init__(self, spending_id: int) -> None:
        super().__init__(f"没有编号为 {spending_id} 的支出记录", what="支出记录", key=spending_id)


class PlanLinesRefused(InvalidInput):
    """A year's plan lines (typed or from a spreadsheet) with rows that cannot be taken: all are named,
    nothing is written."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        where = f"“{source}”" if source else "计划项目"
        shown = "；".join(problems[:8]) + (f"；另有 {len(problems) - 8} 行" if len(problems) > 8 else "")
        super().__init__(f"{where}有 {len(problems)} 行不能用，未做任何改动：{shown}")
        self.problems, self.source = problems, source


class FundYearExists(InvalidInput):
    def __init__(self, year: int) -> None:
        super().__init__(f"{year} 年的资金使用方案已经建立过了")
        self.year = year


class OutsideFundYear(FieldInvalid):
    """A payment dated outside its fund year. One dated after it may belong to it (money is often paid
    the next year: the 2023 plan itself was issued in April 2024) once the user confirms so; one dated
    before the year began never does."""

    def __init__(self, year: int, day: str, *, after: bool) -> None:
        if after:
            text = (f"支出日期 {day} 已在 {year} 年之后：如这笔钱确属 {year} 年度资金（跨年支付），请确认后再登记；"
                    f"否则请登记到 {day[:4]} 年度")
        else:
            text = f"支出日期 {day} 早于 {year} 年：{year} 年度资金的支出不能早于 {year}-01-01"
        super().__init__("spent_on", text)
        self.year, self.day, self.after = year, day, after


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
