"""The year's programme as the county's fund plan describes it (清政办函〔2024〕2号 for 2023): the plan's
lines with their budgets and the spending against them, the 排危除险 works, the 三查 by township and the
monitors' subsidies. Plain values and the rules on them; no I/O.

Money is held in fen (分, integers) so sums never drift; the document's amounts are whole yuan.
The document's headline (155万元) and the sum of its lines (1,558,783 元) differ: both are kept as
written and the difference is shown, never corrected.
"""
from __future__ import annotations

import enum
import re
from dataclasses import KW_ONLY, dataclass, field
from datetime import date

from hazardmap.domain.errors import FieldInvalid, InvalidInput
from hazardmap.domain import validation
from hazardmap.domain.validation import check_visible
from hazardmap.domain.ranked import Ranked

FEN = 100


# ---- money -------------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(\d+)(?:\.(\d{1,2}))?")


def parse_amount(text: object, what: str = "金额", *, field_key: str = "amount", allow_zero: bool = False) -> int:
    """Yuan as typed (1234, 1,234.5, 1234.56元, ￥1234) -> fen. Negative, zero (unless allowed), more than
    two decimals or not a number: refused in Chinese."""
    if isinstance(text, bool):
        raise FieldInvalid(field_key, f"{what}“{text}”不是金额")
    if isinstance(text, int):
        s = str(text)
    elif isinstance(text, float):
        s = f"{text:.2f}" if round(text, 2) == text else repr(text)
    else:
        s = str(text or "")
    s = s.strip().replace(",", "").replace("，", "").replace("￥", "").replace("¥", "")
    s = s.removesuffix("元").strip()
    if s.startswith("-") or s.startswith("－"):
        raise FieldInvalid(field_key, f"{what}不能为负数（“{text}”）")
    m = _AMOUNT.fullmatch(s)
    if not m:
        raise FieldInvalid(field_key, f"{what}“{text}”不是金额：请写元为单位的数字，最多两位小数，如 1234.50")
    fen = int(m[1]) * FEN + int((m[2] or "0").ljust(2, "0"))
    if fen == 0 and not allow_zero:
        raise FieldInvalid(field_key, f"{what}必须大于 0")
    if fen > 10**9 * FEN:
        raise FieldInvalid(field_key, f"{what}“{text}”过大")
    return fen


def yuan(fen: int, *, sign: bool = False) -> str:
    """1558783.00 -> '1,558,783.00' (finance style: two decimals, thousands separators)."""
    neg = fen < 0
    whole, cents = divmod(abs(fen), FEN)
    text = f"{whole:,}.{cents:02d}"
    return ("-" if neg else ("+" if sign and fen > 0 else "")) + text


def yuan_whole(fen: int) -> str:
    """For amounts that are whole yuan (budgets, subsidies): '1,558,783'; cents shown when present."""
    return f"{fen // FEN:,}" if fen % FEN == 0 and fen >= 0 else yuan(fen)


def check_year(year: object) -> int:
    return validation.check_year(year, "年度")


def check_date(text: object, what: str, field_key: str = "date") -> str:
    """YYYY-MM-DD (also 2023/5/3, 2023年5月3日) -> ISO."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", str(text or ""))
    try:
        if not m:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise FieldInvalid(field_key, f"{what}“{text}”不是有效日期：请写成 2023-05-03") from None


def check_text(text: object, what: str, *, required: bool = False, max_len: int = 200,
               field_key: str = "") -> str:
    t = check_visible(str(text or ""), what).strip()
    if required and not t:
        raise FieldInvalid(field_key or what, f"{what}不能为空")
    if len(t) > max_len:
        raise FieldInvalid(field_key or what, f"{what}过长（最多 {max_len} 个字，现有 {len(t)} 个）")
    return t


def check_count(value: object, what: str, field_key: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        raise FieldInvalid(field_key, f"{what}“{value}”不是整数") from None
    if n < 0:
        raise FieldInvalid(field_key, f"{what}不能为负数（{n}）")
    return n


# ---- the plan ----------------------------------------------------------------------------------------

class LineKind(str, enum.Enum):
    """Lines the programme's records are linked to (the others are spending only)."""
    PLAIN = ""
    CHECKS = "checks"         # 三查: a township's allowance is due once its three phases are recorded
    SUBSIDIES = "subsidies"   # 群测群防员补助: per key point per year
    WORKS = "works"           # 排危除险: the works' budgets are drawn from it


@dataclass(frozen=True)
class FundYear:
    year: int
    title: str
    doc_no: str
    issued_on: str
    headline_fen: int | None      # the total as the document's heading states it
    headline_text: str            # the heading's own words, e.g. "155 万元"
    township_rate_fen: int        # 三查 allowance per township
    monitor_rate_fen: int         # subsidy per key point per year
    closed_on: str | None = None
    closed_by: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None


@dataclass(frozen=True)
class FundLine:
    id: int
    year: int
    position: int
    numeral: str      # 一 … 九, as the document numbers its lines
    part: str         # '' or '1', '2' when one numbered line holds several amounts (2023: 四)
    title: str
    budget_fen: int
    kind: LineKind = LineKind.PLAIN

    @property
    def label(self) -> str:
        return f"（{self.numeral}）" + (f"{self.part}. " if self.part else "") + self.title

    @property
    def code(self) -> str:
        """How a line is named on the command line: 一 … 九, 四-1 for a part."""
        return f"{self.numeral}-{self.part}" if self.part else self.numeral


_NUMERALS = "一二三四五六七八九十"


def numeral_of(n: int) -> str:
    """1 -> 一 … 10 -> 十, 11 -> 十一, 20 -> 二十, 99 -> 九十九."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")
    return head + (_NUMERALS[ones - 1] if ones else "")


_NUMERAL_VALUES = {numeral_of(n): n for n in range(1, 100)}


def norm_code(text: object) -> str:
    """A line's 序号 as typed (一, （四）, 4, 4-1, 4.1, 四－1, a whole number from an Excel cell) -> 四-1."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    t = str(text or "").strip()
    for ch in "（）() 、．":
        t = t.replace(ch, "")
    t = t.replace(".", "-").replace("－", "-").replace("—", "-")
    head, sep, tail = t.partition("-")
    if head.isdigit() and 1 <= int(head) <= 99:
        head = numeral_of(int(head))
    return head + sep + tail


def parse_code(text: object) -> tuple[str, str]:
    """A line's 序号 -> (numeral, part): 四-1 -> ('四', '1'). Refused in Chinese when it is not one."""
    t = norm_code(text)
    head, _, tail = t.partition("-")
    if head not in _NUMERAL_VALUES or (tail and not (tail.isdigit() and 0 < int(tail) < 100)) or t.endswith("-"):
        raise FieldInvalid("code", f"序号“{text}”不对：应为 一、二 …（或 1、2 …），一项分几笔时写 四-1、四-2")
    return head, str(int(tail)) if tail else ""


def infer_kind(title: str) -> LineKind:
    """Which of the programme's records a line pays for, from its title (the county's wording in 2023:
    地质灾害隐患排查巡查核查 / 群测群防员补助 / 排危除险): the report links the line to them."""
    if "排危除险" in title or "应急治理" in title:
        return LineKind.WORKS
    if "群测群防" in title:
        return LineKind.SUBSIDIES
    if "排查" in title and ("巡查" in title or "核查" in title):
        return LineKind.CHECKS
    return LineKind.PLAIN


@dataclass(frozen=True)
class LineDraft:
    """A plan line as typed in the window or read from a spreadsheet row (row: where, for messages)."""
    code: object
    title: object
    budget: object
    row: int = 0


def check_line(d: LineDraft, year: int, position: int) -> FundLine:
    numeral, part = parse_code(d.code)
    title = check_text(d.title, "项目", required=True, max_len=200, field_key="title")
    budget = parse_amount(d.budget, "预算", field_key="budget", allow_zero=True)
    return FundLine(0, year, position, numeral, part, title, budget, infer_kind(title))


@dataclass(frozen=True)
class YearDraft:
    """A year's document as the bureau types it: the headline total is entered on its own, as the
    document's heading states it, and never derived from the lines."""
    year: object
    title: str = ""
    doc_no: str = ""
    issued_on: str = ""
    headline: object = ""        # 元; empty when the document states no total
    headline_text: str = ""      # the heading's own words (e.g. "155 万元"); default: the amount in 元
    township_rate: object = ""   # empty: as the year copied from or the latest year
    monitor_rate: object = ""


@dataclass(frozen=True)
class Spending:
    id: int
    line_id: int
    spent_on: str
    amount_fen: int
    payee: str
    voucher: str = ""
    note: str = ""
    over_reason: str = ""     # why the line was overspent (required when it was)
    work_id: int | None = None
    recorded_by: str = ""
    recorded_at: str = ""
    cross_year: bool = False  # dated after its fund year; the bureau confirmed it belongs to that year


@dataclass(frozen=True)
class SpendDraft:
    line: str          # line code (一, 四-1) or id as text
    spent_on: str
    amount: str
    payee: str
    voucher: str = ""
    note: str = ""
    over_reason: str = ""
    work_id: int | None = None
    cross_year: bool = False  # the user confirmed a payment dated after the fund year belongs to it


@dataclass(frozen=True)
class LineBalance:
    line: FundLine
    spent_fen: int
    count: int

    @property
    def balance_fen(self) -> int:
        return self.line.budget_fen - self.spent_fen

    @property
    def over(self) -> bool:
        return self.balance_fen < 0


@dataclass(frozen=True)
class PlanTotals:
    """The plan's sums: the lines as written, the headline, their difference, what was spent."""
    lines_fen: int
    headline_fen: int | None
    spent_fen: int

    @property
    def difference_fen(self) -> int | None:
        """Sum of the lines minus the headline (2023: +8,783 元)."""
        return None if self.headline_fen is None else self.lines_fen - self.headline_fen

    @property
    def balance_fen(self) -> int:
        return self.lines_fen - self.spent_fen


def totals(year: FundYear, balances: list[LineBalance]) -> PlanTotals:
    return PlanTotals(sum(b.line.budget_fen for b in balances), year.headline_fen,
                      sum(b.spent_fen for b in balances))


def difference_text(t: PlanTotals, headline_text: str) -> str:
    if t.difference_fen is None:
        return f"各分项合计 {yuan_whole(t.lines_fen)} 元；文件未写总额"
    d = t.difference_fen
    if d == 0:
        return f"各分项合计 {yuan_whole(t.lines_fen)} 元，与文件总额（{headline_text}）一致"
    more = "多" if d > 0 else "少"
    return (f"各分项合计 {yuan_whole(t.lines_fen)} 元，比文件总额 {headline_text}（{yuan_whole(t.headline_fen)} 元）"
            f"{more} {yuan_whole(abs(d))} 元（按文件原文记录，未作更正）")


# ---- works (排危除险) ------------------------------------------------------------------------------------

class WorkStatus(Ranked):
    PLANNED = "计划"
    UNDERWAY = "实施中"
    FINISHED = "完工"
    ACCEPTED = "验收"


# The work's field that records the day it reached a status (none for 计划).
WORK_STATUS_DATE_FIELDS = {WorkStatus.UNDERWAY: "started_on", WorkStatus.FINISHED: "finished_on",
                           WorkStatus.ACCEPTED: "accepted_on"}


# How the map tells the statuses apart (legend and icons): grey not started, orange under way, blue
# finished, green accepted.
WORK_STATUS_COLOURS = {WorkStatus.PLANNED: "#757575", WorkStatus.UNDERWAY: "#e65100", WorkStatus.FINISHED: "#1565c0",
                       WorkStatus.ACCEPTED: "#2e7d32"}


def parse_status(text: str) -> WorkStatus:
    t = (text or "").strip()
    for s in WorkStatus:
        if t in (s.value, s.name.lower()) or (s is WorkStatus.ACCEPTED and t == "已验收"):
            return s
    raise FieldInvalid("status", f"工程状态“{text}”不对：可选 {'、'.join(s.value for s in WorkStatus)}")


@dataclass(frozen=True)
class WorkDoc:
    id: int
    work_id: int
    path: str            # relative to the data folder
    original_name: str
    added_by: str
    added_at: str


@dataclass(frozen=True)
class Work:
    id: int
    year: int
    seq: int              # 序号 in the county's table (annex 2)
    site: str             # the 隐患点 text as the table gives it
    township: str
    budget_fen: int
    status: WorkStatus = WorkStatus.PLANNED
    started_on: str = ""
    finished_on: str = ""
    accepted_on: str = ""
    contractor: str = ""
    note: str = ""
    points: tuple[int, ...] = ()     # register points the work treats
    docs: tuple[WorkDoc, ...] = ()

    def values(self) -> dict[str, object]:
        """The editable fields, for an edit's diff and its undo."""
        return {"site": self.site, "township": self.township, "budget_fen": self.budget_fen,
                "status": self.status.value, "started_on": self.started_on, "finished_on": self.finished_on,
                "accepted_on": self.accepted_on, "contractor": self.contractor, "note": self.note,
                "points": list(self.points)}


WORK_FIELDS = {"site": "隐患点（工程地点）", "township": "乡镇", "budget_fen": "预算", "status": "状态",
               "started_on": "开工日期", "finished_on": "完工日期", "accepted_on": "验收日期", "contractor": "施工单位",
               "note": "备注", "points": "治理的隐患点"}


def check_status_step(old: WorkStatus, new: WorkStatus, work_label: str) -> None:
    """Status moves forward only (计划 → 实施中 → 完工 → 验收); a step back is an undo."""
    if new.rank <= old.rank:
        raise InvalidInput(f"{work_label}现为“{old.value}”，只能向后推进（{' → '.join(s.value for s in WorkStatus)}）；"
                           "如登记错了，请撤销那一步")


# ---- 三查 --------------------------------------------------------------------------------------------

class Phase(str, enum.Enum):
    PRE = "汛前排查"
    DURING = "汛中巡查"
    POST = "汛后核查"


def parse_phase(text: str) -> Phase:
    t = (text or "").strip()
    for p in Phase:
        if t in (p.value, p.name.lower(), p.value[:2]):
            return p
    raise FieldInvalid("phase", f"阶段“{text}”不对：可选 {'、'.join(p.value for p in Phase)}")


# When a phase counts as late if not recorded: the product's defaults, from Hunan's flood season (April to
# September, domain/patrol.py), not a county rule; the bureau changes them per year.
DEFAULT_DUE = {Phase.PRE: "03-31", Phase.DURING: "09-30", Phase.POST: "11-30"}
DUE_NOTE = "期限为本软件的默认值（汛前排查 3月31日前、汛中巡查 9月30日前、汛后核查 11月30日前），非县里文件规定"


def check_due(text: object, year: int, phase: Phase) -> str:
    """A phase's deadline as typed (03-31, 3-31, 3/31, 3月31日, or a full date in the year) -> 'MM-DD'."""
    t = str(text or "").strip()
    m = re.fullmatch(r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", t)
    try:
        if not m:
            raise ValueError
        if m[1] and int(m[1]) != year:
            raise FieldInvalid("due", f"{phase.value}期限“{t}”不在 {year} 年内")
        return date(year, int(m[2]), int(m[3])).strftime("%m-%d")
    except ValueError:
        raise FieldInvalid("due", f"{phase.value}期限“{t}”不是有效日期：请写成 月-日，如 03-31") from None


def check_due_order(due: dict[Phase, str]) -> None:
    """汛前排查 before 汛中巡查 before 汛后核查 (a deadline set out of order is a typing slip)."""
    phases = list(Phase)
    for a, b in zip(phases, phases[1:]):
        if due[a] >= due[b]:
            raise FieldInvalid("due", f"{a.value}期限（{due_text(due[a])}）应早于{b.value}期限（{due_text(due[b])}）")


def due_text(mmdd: str) -> str:
    """'03-31' -> '3月31日'."""
    mm, dd = mmdd.split("-")
    return f"{int(mm)}月{int(dd)}日"


@dataclass(frozen=True)
class Deadline:
    """A phase's deadline in a year: the bureau's own (with who set it and when) or the product's default."""
    phase: Phase
    mmdd: str
    is_default: bool = True
    changed_by: str | None = None
    changed_at: str | None = None


def deadlines_note(deadlines: dict[Phase, Deadline]) -> str:
    """The deadlines as a sentence, each one saying whose it is."""
    parts = []
    for p, d in deadlines.items():
        whose = "本软件默认" if d.is_default else f"局里设定：{d.changed_by}，{(d.changed_at or '')[:10]}"
        parts.append(f"{p.value} {due_text(d.mmdd)}前（{whose}）")
    tail = "；默认值为本软件所定，非县里文件规定" if any(d.is_default for d in deadlines.values()) else ""
    return "期限：" + "、".join(parts) + tail


@dataclass(frozen=True)
class Recorded:
    """What every record a clerk enters carries: a free note, who entered it and when (by keyword)."""
    _: KW_ONLY
    note: str = ""
    recorded_by: str = ""
    recorded_at: str = ""


@dataclass(frozen=True)
class CheckRecord(Recorded):
    year: int
    township: str
    phase: Phase
    done_on: str
    done_by: str
    points_checked: int | None = None
    problems: int | None = None


@dataclass(frozen=True)
class TownshipChecks:
    township: str
    records: dict[Phase, CheckRecord]
    late: tuple[Phase, ...]          # phases past their due date and not recorded, or recorded after it
    allowance_fen: int               # due once all three phases are recorded

    @property
    def complete(self) -> bool:
        return all(p in self.records for p in Phase)


def late_phases(year: int, records: dict[Phase, CheckRecord], today: date,
                due: dict[Phase, str] | None = None) -> tuple[Phase, ...]:
    due = due or DEFAULT_DUE
    out = []
    for phase in Phase:
        deadline = f"{year}-{due[phase]}"
        rec = records.get(phase)
        if rec is None and today.isoformat() > deadline:
            out.append(phase)
        elif rec is not None and rec.done_on > deadline:
            out.append(phase)
    return tuple(out)


# ---- monitor subsidies -------------------------------------------------------------------------------

PRO_RATA_RULE = ("一处重点隐患点全年补助按监测员在岗天数分摊：每人应发 = 全年标准 × 在岗天数 ÷ 全年天数，四舍五入到元；"
                 "同一隐患点的最后一任取余数，使各人合计恰为全年标准。换人之日起算新监测员。")


@dataclass(frozen=True)
class MonitorReplacement(Recorded):
    """A monitor who took over a key point on a date within the year (the earlier one served until the day before)."""
    id: int
    year: int
    point_seq: int
    effective_on: str
    monitor: str
    phone: str = ""


@dataclass(frozen=True)
class SubsidyShare:
    point_seq: int
    row_no: int | None
    township: str
    place: str
    monitor: str
    phone: str
    start: str
    end: str
    days: int
    amount_fen: int
    patrols: int = 0          # patrol entries at the point in that period (the work behind the subsidy)

    @property
    def months(self) -> float:
        """Months of service, to one decimal (days × 12 ÷ days in the year)."""
        d0 = date.fromisoformat(self.start)
        n = 366 if _leap(d0.year) else 365
        return round(self.days * 12 / n, 1)


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def service_periods(year: int, starts: list[str]) -> list[tuple[str, str, int]]:
    """Each monitor's (first day, last day, days) in the year, from the sorted dates each one started
    (the year's first monitor starts on 1 January). A monitor replaced on 1 January served 0 days and
    is left out."""
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    days = sorted(date.fromisoformat(s) for s in starts)
    out = []
    for i, start in enumerate(days):
        end = days[i + 1].toordinal() - 1 if i + 1 < len(days) else dec31.toordinal()
        n = end - start.toordinal() + 1
        if n > 0:
            out.append((start.isoformat(), date.fromordinal(end).isoformat(), n))
    assert not days or days[0] == jan1
    return out


def pro_rata(rate_fen: int, year: int, day_counts: list[int]) -> list[int]:
    """Split a year's subsidy (fen, whole yuan) by days served, each rounded half up to the yuan; the last
    takes the remainder so the shares add up to the rate exactly (PRO_RATA_RULE)."""
    if not day_counts:
        return []
    n_days = 366 if _leap(year) else 365
    rate_yuan = rate_fen // FEN
    shares = [(2 * rate_yuan * d + n_days) // (2 * n_days) for d in day_counts[:-1]]
    if sum(day_counts) == n_days:
        shares.append(rate_yuan - sum(shares))
    else:  # a point on the list for part of the year only: every share rounded on its own
        shares.append((2 * rate_yuan * day_counts[-1] + n_days) // (2 * n_days))
    return [s * FEN for s in shares]


@dataclass
class SubsidyList:
    year: int
    rate_fen: int
    shares: list[SubsidyShare] = field(default_factory=list)
    points: int = 0

    @property
    def total_fen(self) -> int:
        return sum(s.amount_fen for s in self.shares)
