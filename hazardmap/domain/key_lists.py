"""Yearly key lists (年度重点地质灾害隐患点名单) and the views of the register the window offers.

A key list is one year's document: its name, year and document number, and for each point on it that
year's monitor, phone and threatened text and the row's 序号 in the county's table. A point can be on
several years' lists. The point itself holds the CURRENT monitor, phone and threatened text (what the
cards print and the details panel edits); a list entry keeps what that year's document said and is
never changed by later edits. Importing the newest year's list updates the points' current values
(with monitor history, like any monitor change); importing an older year's list only records it.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KeyList:
    id: int
    year: int
    name: str
    doc_no: str           # 文号, e.g. 清政办函〔2024〕2号 附件1 ("" when not given)
    count: int = 0        # points on the list (from the data)
    created_by: str = ""
    created_at: str = ""

    @property
    def title(self) -> str:
        return f"{self.name}（{self.doc_no}）" if self.doc_no else self.name


@dataclass(frozen=True)
class KeyListEntry:
    list_id: int
    point_seq: int
    row_no: int | None    # 序号 in the county's table
    township: str         # as the list wrote it
    place: str            # 村组 / 地点 as the list wrote it
    threatened: str
    monitor: str
    phone: str


# ---- views ---------------------------------------------------------------------------------------

class ViewKind(str, enum.Enum):
    KEY_LIST = "key"          # one year's key list
    REGISTERED = "register"   # 全部在册
    RETIRED = "retired"       # 已核销


@dataclass(frozen=True)
class View:
    kind: ViewKind
    year: int | None = None   # KEY_LIST only; None = the newest list

    @classmethod
    def newest(cls) -> "View":
        return cls(ViewKind.KEY_LIST)

    def key(self) -> str:
        """How the view is remembered (ui.ini) and typed (CLI --view): 2023, 在册, 已核销, newest."""
        if self.kind is ViewKind.KEY_LIST:
            return str(self.year) if self.year is not None else "newest"
        return VIEW_WORDS[self.kind]

    @classmethod
    def parse(cls, text: str | None) -> "View":
        """From key(); unknown or empty text is the newest key list (the window's default)."""
        t = (text or "").strip()
        for kind, word in VIEW_WORDS.items():
            if t in (word, kind.value, "全部" + word):
                return cls(kind)
        if t.isdigit():
            return cls(ViewKind.KEY_LIST, int(t))
        return cls.newest()


VIEW_WORDS = {ViewKind.REGISTERED: "在册", ViewKind.RETIRED: "已核销"}


# ---- importing a year's list ---------------------------------------------------------------------

class RowOutcome(str, enum.Enum):
    NEW = "new"              # no register point: proposed as a new point
    CHANGED = "changed"      # a register point whose monitor, phone or threatened text differs
    UNCHANGED = "unchanged"
    NEAR = "near"            # close to a register point but not equal: the user says which (or new)


GROUP_TITLES = {RowOutcome.NEW: "新增", RowOutcome.CHANGED: "有变化", RowOutcome.UNCHANGED: "无变化",
                RowOutcome.NEAR: "待确认"}
DROPPED_TITLE = "不在新名单（仍在册）"

CHANGE_FIELDS = {"monitor": "监测人", "phone": "联系电话", "threatened": "威胁对象"}


@dataclass(frozen=True)
class ListRow:
    """One row of a county list as read from the file (text as written, trimmed)."""
    line: int                 # the row number the user sees in Excel
    row_no: int | None        # 序号
    code: str                 # 统一编号 ("" when the table has none)
    township: str
    place: str                # 村组 or 地点
    threatened: str
    monitor: str
    phone: str


@dataclass(frozen=True)
class RowMatch:
    row: ListRow
    outcome: RowOutcome
    point_seq: int | None = None                         # the matched point (CHANGED/UNCHANGED)
    changes: tuple[tuple[str, str, str], ...] = ()       # (field, old, new) for CHANGED
    candidates: tuple[int, ...] = ()                     # NEAR: the points it may be
    village_code: str = ""                               # NEW: the gazetteer village the row names

    @property
    def label(self) -> str:
        return f"{self.row.township}{self.row.place}"


@dataclass
class ListPreview:
    year: int
    name: str
    doc_no: str
    rows: list[RowMatch] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)      # point seqs on the newest list, not on this one
    bad: list = field(default_factory=list)               # spreadsheet.BadRow: rows that cannot be read
    becomes_current: bool = True                          # this year >= the newest list's: points updated

    def group(self, outcome: RowOutcome) -> list[RowMatch]:
        return [m for m in self.rows if m.outcome is outcome]

    @property
    def ready(self) -> bool:
        """Nothing left to ask: no unreadable row, no near match waiting for an answer."""
        return not self.bad and not self.group(RowOutcome.NEAR)

    def summary(self) -> str:
        parts = [f"{GROUP_TITLES[o]} {len(self.group(o))} 处" for o in
                 (RowOutcome.NEW, RowOutcome.CHANGED, RowOutcome.UNCHANGED)]
        parts.append(f"{DROPPED_TITLE} {len(self.dropped)} 处")
        near = self.group(RowOutcome.NEAR)
        if near:
            parts.append(f"{GROUP_TITLES[RowOutcome.NEAR]} {len(near)} 行")
        if self.bad:
            parts.append(f"有误 {len(self.bad)} 行")
        return f"{self.year}年名单共 {len(self.rows)} 处：" + "，".join(parts)


# ---- matching text ---------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def norm_place(text: str) -> str:
    """Place text for comparing: NFKC (full-width digits), no spaces, 社区/居委会 kept as written."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def village_part(place: str) -> str:
    """The administrative village (…村/社区/居委会) at the start of a 村组 text, else the whole text."""
    for marker in ("居委会", "社区", "村"):
        i = place.find(marker)
        if i >= 0:
            return place[: i + len(marker)]
    return place
