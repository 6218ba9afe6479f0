"""A patrol entry as people read it: the one place its values become text.

The patrol tab, the Excel/CSV 台账, `hazardmap patrol list` and the printed 巡查记录表 all take their
cells from here, so a reading or a sign never reads one way on screen and another on paper.
Plain Python, no Qt.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hazardmap.domain.patrol import PatrolEntry, SignObservation, main_crack, other_measurements
from hazardmap.domain.patrol_status import Judgement


def mm(value: float | None) -> str:
    """A reading in mm as typed: 30, 12.5 ("" when there is none)."""
    return "" if value is None else f"{value:g}"


def change_mm(value: float | None) -> str:
    """A change since the last reading, always signed: +1.5, -0.5, +0."""
    return "" if value is None else f"{value:+g}"


def judgement_text(judgement: Judgement | str | None) -> str:
    if judgement is None:
        return ""
    return judgement.value if isinstance(judgement, Judgement) else str(judgement)


def sign_names(signs: Iterable[SignObservation | str]) -> str:
    """The signs seen, on one line: 拉张裂缝、渗冒混水/泉水变浑"""
    return "、".join(s.sign if isinstance(s, SignObservation) else s for s in signs)


def signs_detail(signs: Iterable[SignObservation]) -> str:
    """One sign per line with where and what: 拉张裂缝（部位：后缘；特征：宽约2厘米）. The 台账 reads this
    form back (services.patrol_excel.parse_signs_cell)."""
    return "\n".join(s.sign + (f"（部位：{s.location}；特征：{s.feature}）" if s.location or s.feature else "")
                     for s in signs)


def sign_tooltip(signs: Iterable[SignObservation]) -> str:
    return "\n".join(f"{s.sign}：部位 {s.location or '—'}；特征 {s.feature or '—'}" for s in signs)


@dataclass(frozen=True)
class EntryText:
    """Every cell of one entry as text. Multi-line values keep their lines; a one-line view joins them."""
    id: str
    point: str
    at: str
    judgement: str
    by: str
    weather: str
    rain: str                       # mm
    signs: str                      # names on one line
    signs_detail: str               # one sign per line, with 部位/特征
    crack: str                      # 裂缝读数, mm: the main crack gauge (domain.patrol.main_crack)
    crack_change: str               # 较上次, signed mm
    other_measurements: tuple[str, ...]
    action: str
    note: str
    photos: tuple[str, ...]

    def others_line(self) -> str:
        return "；".join(self.other_measurements)

    def note_line(self) -> str:
        return " ".join(self.note.splitlines())


def entry_text(e: PatrolEntry) -> EntryText:
    main = main_crack(e.measurements)
    return EntryText(
        id=str(e.id), point=str(e.point_seq), at=e.at, judgement=judgement_text(e.judgement), by=e.by,
        weather=e.weather, rain=mm(e.rain_mm), signs=sign_names(e.signs), signs_detail=signs_detail(e.signs),
        crack=mm(main.reading_mm) if main else "", crack_change=change_mm(main.change_mm) if main else "",
        other_measurements=tuple(m.describe() for m in other_measurements(e.measurements)),
        action=e.action, note=e.note, photos=tuple(e.photos),
    )
