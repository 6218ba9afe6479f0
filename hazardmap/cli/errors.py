"""How the command line words the remedy for a core error: with its own flags and commands (the core's
messages name none, since the window offers buttons instead)."""
from __future__ import annotations

from hazardmap.domain.errors import (
    Overspent, YearClosed, Ambiguous, DatabaseDamaged, DuplicateCode, EntryInBin, FieldInvalid, FileExists,
    HazardmapError, OutsideCounty, EditConflict, ReadOnlyAccess, TargetNotEmpty, RetireWithoutReason,
    ServerUnavailable, StaleEdit, UnknownTownship, VillageNotInTownship,
)


def remedy(exc: HazardmapError) -> str:
    """The CLI's hint after the core's message ("" when the message says it all)."""
    if isinstance(exc, OutsideCounty):
        return "如确认无误，请加 --force 重新运行"
    if isinstance(exc, Ambiguous):
        return "请用 --township 指定乡镇"
    if isinstance(exc, EntryInBin):
        return f"恢复命令：hazardmap patrol restore {exc.entry_id}"
    if isinstance(exc, TargetNotEmpty):
        return "如要用本次复制的数据替换它，请加 --force"
    if isinstance(exc, FileExists):
        return "如要覆盖请加 --force"
    if isinstance(exc, DuplicateCode):
        return f"请换一个 --unified-code，或查看第 {exc.seq} 号点（hazardmap points --all）"
    if isinstance(exc, UnknownTownship):
        return "--township 请写全称，如“茅市镇”“云集街道”“相市乡”"
    if isinstance(exc, VillageNotInTownship):
        return "请核对 --village 与 --township"
    if isinstance(exc, Overspent):
        return "如确需超支，请加 --over-reason 写明原因"
    if isinstance(exc, YearClosed):
        return f"重新打开：hazardmap fund reopen --year {exc.year}"
    if isinstance(exc, RetireWithoutReason):
        return "请加 --reason 写明原因"
    if isinstance(exc, FieldInvalid):
        from hazardmap.cli.points import FIELD_OPTIONS

        flag = FIELD_OPTIONS.get(exc.field) or {"retired_on": "--date", "retire_reason": "--reason"}.get(exc.field)
        return f"请改正 {flag}" if flag else ""
    if isinstance(exc, EditConflict):
        return (f"如仍要应用您的修改，请加 --base-version {exc.current_version} 重新运行"
                if exc.current_version else "请重新查看后再运行")
    if isinstance(exc, ServerUnavailable):
        return "服务器恢复后重新运行即可"
    if isinstance(exc, ReadOnlyAccess):
        return ""
    if isinstance(exc, StaleEdit):
        return "请重新查看后再运行"
    if isinstance(exc, DatabaseDamaged):
        from hazardmap.cli.backup import damage_remedy

        return damage_remedy(exc)
    return ""


def message(exc: HazardmapError) -> str:
    hint = remedy(exc)
    text = str(exc)
    return f"{text}；{hint}" if hint and hint not in text else text
