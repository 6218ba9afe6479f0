"""How the command line words the remedy for a core error: with its own flags and commands (the core's
messages name none, since the window offers buttons instead)."""
from __future__ import annotations

from typing import Callable

from hazardmap.domain.errors import (Ambiguous, CrsNeeded, DatabaseDamaged, DuplicateCode, EditConflict, EntryInBin,
                                     FieldInvalid, FileExists, HazardmapError, ImportRefused, OutsideCounty,
                                     OutsideFundYear, Overspent, RetireWithoutReason, ServerUnavailable, StaleEdit,
                                     TargetNotEmpty, UnknownTownship, VillageNotInTownship, YearClosed)


def _field_flag(exc: FieldInvalid) -> str:
    from hazardmap.cli.points import FIELD_OPTIONS

    flag = FIELD_OPTIONS.get(exc.field) or {"retired_on": "--date", "retire_reason": "--reason"}.get(exc.field)
    return f"请改正 {flag}" if flag else ""


def _damage(exc: DatabaseDamaged) -> str:
    from hazardmap.cli.backup import damage_remedy

    return damage_remedy(exc)


# The CLI's hint after the core's message, by the error's class (the first that matches).
REMEDIES: dict[type, Callable[[HazardmapError], str]] = {
    CrsNeeded: lambda exc: "请加 --crs 指定坐标系" + (f"（如 --crs {exc.suggestion.split(' ')[0]}）" if exc.suggestion else ""),
    ImportRefused: lambda exc: "请改正后重试，或加 --skip-bad 只导入正确的行",
    OutsideCounty: lambda exc: "如确认无误，请加 --force 重新运行",
    Ambiguous: lambda exc: "请用 --township 指定乡镇",
    EntryInBin: lambda exc: f"恢复命令：hazardmap patrol restore {exc.entry_id}",
    FileExists: lambda exc: "如要覆盖请加 --force",
    DuplicateCode: lambda exc: f"请换一个 --unified-code，或查看第 {exc.seq} 号点（hazardmap points --all）",
    UnknownTownship: lambda exc: "--township 请写全称，如“茅市镇”“云集街道”“相市乡”",
    VillageNotInTownship: lambda exc: "请核对 --village 与 --township",
    Overspent: lambda exc: "如确需超支，请加 --over-reason 写明原因",
    OutsideFundYear: lambda exc: "确属该年度资金请加 --belongs-to-year" if exc.after else "",
    YearClosed: lambda exc: f"重新打开：hazardmap fund reopen --year {exc.year}",
    RetireWithoutReason: lambda exc: "请加 --reason 写明原因",
    FieldInvalid: _field_flag,
    EditConflict: lambda exc: f"如仍要应用您的修改，请加 --base-version {exc.current_version} 重新运行",
    StaleEdit: lambda exc: "请重新查看后再运行",
    ServerUnavailable: lambda exc: "服务器恢复后重新运行即可",
    TargetNotEmpty: lambda exc: "如要用本次复制的数据替换它，请加 --force",
    DatabaseDamaged: _damage,
}


def remedy(exc: HazardmapError) -> str:
    """The CLI's hint after the core's message ("" when the message says it all)."""
    for kind, hint in REMEDIES.items():
        if isinstance(exc, kind):
            return hint(exc)
    return ""


def message(exc: HazardmapError) -> str:
    hint = remedy(exc)
    text = str(exc)
    return f"{text}；{hint}" if hint and hint not in text else text
