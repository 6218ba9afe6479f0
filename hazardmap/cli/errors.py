"""How the command line words the remedy for a core error: with its own flags and commands (the core's
messages name none, since the window offers buttons instead)."""
from __future__ import annotations

from hazardmap.domain.errors import (
    Ambiguous, DatabaseDamaged, EntryInBin, FileExists, HazardmapError, OutsideCounty, StaleEdit,
)


def remedy(exc: HazardmapError) -> str:
    """The CLI's hint after the core's message ("" when the message says it all)."""
    if isinstance(exc, OutsideCounty):
        return "如确认无误，请加 --force 重新运行"
    if isinstance(exc, Ambiguous):
        return "请用 --township 指定乡镇"
    if isinstance(exc, EntryInBin):
        return f"恢复命令：hazardmap patrol restore {exc.entry_id}"
    if isinstance(exc, FileExists):
        return "如要覆盖请加 --force"
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
