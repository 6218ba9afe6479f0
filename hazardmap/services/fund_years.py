"""Later years' plans: a new year with its lines (typed, copied from an earlier year, or read from a
spreadsheet of 序号/项目/预算), a year's lines replaced from a spreadsheet, the document's headline total.

All or nothing: every bad row is named by its row number and nothing is written. The headline total is
what the document's heading says, entered on its own and shown beside the sum of the lines with the
difference (domain/fund.py difference_text), never derived from them. One undo step each."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hazardmap.domain.errors import FundYearExists, InvalidInput, PlanLinesRefused, StaleEdit
from hazardmap.domain.fund import FundLine, FundYear, LineDraft, LineKind, YearDraft, check_date, check_line, \
    check_text, check_year, parse_amount, yuan_whole
from hazardmap.services.fund import FundChanges, _changes, open_year, year_of
from hazardmap.services.spreadsheet import read_table, short
from hazardmap.services.store import Store, current_user, now_iso

# Header words (spaces and a trailing （元） removed) -> column. Whole words only: a title row above the
# header ("2024年地质灾害防治专项资金使用计划") is not taken for it.
_HEADERS = {"序号": "code", "编号": "code", "项目": "title", "项目名称": "title", "资金用途": "title",
            "预算": "budget", "金额": "budget", "预算金额": "budget", "安排资金": "budget"}
_TOTAL_WORDS = ("合计", "总计", "小计")


def _column(header: str) -> str | None:
    h = header.replace(" ", "").replace("\u3000", "")
    for unit in ("（元）", "(元)", "/元"):
        h = h.removesuffix(unit)
    return _HEADERS.get(h)


def read_plan_lines(path: str | Path) -> list[LineDraft]:
    """The rows of a plan spreadsheet (.xlsx, or .csv) under its 序号/项目/预算 header, read through
    services/spreadsheet.py. A 合计 row is left out (the total is the lines' sum; the document's own
    total is entered separately). Rows the reader refuses raise PlanLinesRefused with the rest."""
    path = Path(path)
    table = read_table(path, _column, anchor="title",
                       no_header="表中找不到“项目”列：表头应为 序号、项目、预算（元）",
                       describe=lambda v: short(str(v.get("title") or "")))
    missing = [w for key, w in (("code", "序号"), ("budget", "预算")) if key not in table.headers]
    if missing:
        raise InvalidInput(f"“{path.name}”的表头缺少：{'、'.join(missing)}（现有列：{'、'.join(table.headers.values())}）")
    if table.bad:
        raise PlanLinesRefused([str(b) for b in table.bad], path.name)
    drafts = []
    for r in table.rows:
        v = r.values
        if any(str(v.get(k) or "").strip().replace(" ", "") in _TOTAL_WORDS for k in ("code", "title")):
            continue
        drafts.append(LineDraft(v.get("code"), v.get("title"), v.get("budget"), r.line))
    if not drafts:
        raise InvalidInput(f"“{path.name}”的表头下面没有项目")
    return drafts


def check_lines(drafts: list[LineDraft], year: int, source: str = "") -> list[FundLine]:
    """Every line checked; all problems named by row (PlanLinesRefused), or the lines in order. A 序号
    given twice, or a numbered line that is also split into parts (四 and 四-1), is refused. Each kind of
    linked line (三查, 补助, 排危除险) is taken from the first line whose title names it."""
    problems: list[str] = []
    out: list[FundLine] = []
    seen: dict[str, int] = {}
    kinds: set[LineKind] = set()
    for i, d in enumerate(drafts, start=1):
        row = d.row or i
        try:
            ln = check_line(d, year, i)
        except InvalidInput as exc:
            problems.append(f"第 {row} 行：{exc}")
            continue
        whole = next((r for c, r in seen.items() if c.partition("-")[0] == ln.numeral and ("-" in c) != bool(ln.part)),
                     None)
        if ln.code in seen:
            problems.append(f"第 {row} 行：序号 {ln.code} 与第 {seen[ln.code]} 行重复")
            continue
        if whole is not None:
            problems.append(f"第 {row} 行：第{ln.numeral}项在第 {whole} 行已有，分笔时请都写成 {ln.numeral}-1、{ln.numeral}-2")
            continue
        seen[ln.code] = row
        if ln.kind is not LineKind.PLAIN:
            if ln.kind in kinds:
                ln = replace(ln, kind=LineKind.PLAIN)
            kinds.add(ln.kind)
        out.append(ln)
    if problems:
        raise PlanLinesRefused(problems, source)
    return out


def _headline(draft: YearDraft) -> tuple[int | None, str]:
    text = str(draft.headline or "").strip()
    if not text:
        return None, check_text(draft.headline_text, "文件总额的写法", max_len=40)
    fen = parse_amount(text, "文件总额", field_key="headline")
    return fen, check_text(draft.headline_text, "文件总额的写法", max_len=40) or f"{yuan_whole(fen)} 元"


def _rate(text: object, what: str, key: str, inherited: int | None, year: int) -> int:
    if str(text or "").strip():
        return parse_amount(text, what, field_key=key, allow_zero=True)
    if inherited is None:
        raise InvalidInput(f"还没有别的年度可沿用{what}：请写明 {year} 年的{what}（元）")
    return inherited


def new_year(store: Store, draft: YearDraft, lines: list[LineDraft] | None = None, *, copy_from: object = None,
             source: str = "", by: str | None = None) -> FundChanges:
    """Create a year's plan: its document (title, 文号, date, headline total, the 三查 and subsidy rates)
    and its lines, typed or read (lines) or copied from an earlier year (copy_from: titles, 序号 and
    budgets; edit them afterwards). Rates left empty follow the year copied from, else the latest year
    before it. Nothing is written on any refusal."""
    y = check_year(draft.year)
    if lines and copy_from not in (None, ""):
        raise InvalidInput("项目要么从表格读入，要么从以前的年度复制，只能选一种")
    checked = check_lines(list(lines), y, source) if lines else []
    headline_fen, headline_text = _headline(draft)
    title = check_text(draft.title, "方案名称", max_len=120) or f"衡南县{y}年地质灾害防治专项资金使用方案"
    doc_no = check_text(draft.doc_no, "文号", max_len=60)
    issued = check_date(draft.issued_on, "印发日期", "issued_on") if str(draft.issued_on or "").strip() else ""
    who, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        if store.db.fund.year(tx, y) is not None:
            raise FundYearExists(y)
        earlier = [fy for fy in store.db.fund.years(tx) if fy.year < y] or store.db.fund.years(tx)
        base = year_of(store, tx, copy_from) if copy_from not in (None, "") else (earlier[-1] if earlier else None)
        if copy_from not in (None, ""):
            checked = [replace(ln, id=0, year=y) for ln in store.db.fund.lines(tx, base.year)]
        fy = FundYear(y, title, doc_no, issued, headline_fen, headline_text,
                      _rate(draft.township_rate, "三查经费标准（每个乡镇）", "township_rate",
                            base.township_rate_fen if base else None, y),
                      _rate(draft.monitor_rate, "群测群防员补助标准（每处每年）", "monitor_rate",
                            base.monitor_rate_fen if base else None, y))
        store.db.fund.insert_year(tx, fy, by=who, at=at)
        made = store.db.fund.put_lines(tx, y, checked)
    label = f"新建{y}年度资金使用方案（{len(made)} 项）"
    return _changes(label, lambda: _drop_year(store, fy, made, who, at, label))


def _drop_year(store: Store, fy: FundYear, made: list[FundLine], who: str, at: str, label: str) -> FundChanges:
    with store.db.write() as tx:
        if (store.db.fund.year(tx, fy.year) != fy or store.db.fund.lines(tx, fy.year) != made
                or store.db.fund.year_records(tx, fy.year)):
            raise StaleEdit(f"{fy.year}年度资金使用方案（之后已有改动或记录）")
        store.db.fund.delete_year(tx, fy.year)
    return _changes(label, lambda: _put_year(store, fy, made, who, at, label))


def _put_year(store: Store, fy: FundYear, made: list[FundLine], who: str, at: str, label: str) -> FundChanges:
    with store.db.write() as tx:
        if store.db.fund.year(tx, fy.year) is not None:
            raise StaleEdit(f"{fy.year}年度资金使用方案")
        store.db.fund.insert_year(tx, fy, by=who, at=at)
        store.db.fund.put_lines(tx, fy.year, made)
    return _changes(label, lambda: _drop_year(store, fy, made, who, at, label))


def replace_lines(store: Store, year: object, lines: list[LineDraft], *, source: str = "",
                  by: str | None = None) -> FundChanges:
    """The year's lines become these (e.g. read from the bureau's spreadsheet). Refused once spending is
    recorded against the year (the payments name their lines) or the year is closed."""
    y = check_year(year)
    checked = check_lines(list(lines), y, source)
    if not checked:
        raise InvalidInput("没有项目")
    with store.db.write() as tx:
        fy = open_year(store, tx, y)
        paid = sum(n for _, n in store.db.fund.spent_by_line(tx, fy.year).values())
        if paid:
            raise InvalidInput(f"{fy.year} 年已登记 {paid} 笔支出，不能整体替换项目（支出记在各项目下）")
        old = store.db.fund.lines(tx, fy.year)
        made = store.db.fund.put_lines(tx, fy.year, checked)
    label = f"导入{fy.year}年度资金项目（{len(made)} 项" + (f"，{source}）" if source else "）")
    return _changes(label, lambda: _swap_lines(store, fy.year, made, old, label))


def _swap_lines(store: Store, year: int, expect: list[FundLine], put: list[FundLine], label: str) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, year)
        if store.db.fund.lines(tx, year) != expect or store.db.fund.spent_by_line(tx, year):
            raise StaleEdit(f"{year}年度资金项目")
        store.db.fund.put_lines(tx, year, put)
    return _changes(label, lambda: _swap_lines(store, year, put, expect, label))


def import_lines(store: Store, year: object, path: str | Path, *, by: str | None = None) -> FundChanges:
    return replace_lines(store, year, read_plan_lines(path), source=Path(path).name, by=by)


def set_headline(store: Store, year: object, amount: object, text: str = "", *, by: str | None = None) -> FundChanges:
    """The total as the document's heading states it (amount in 元, text in the heading's own words);
    an empty amount: the document states none."""
    fen, words = _headline(YearDraft(year, headline=amount, headline_text=text))
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        store.db.fund.set_headline(tx, fy.year, fen, words)
    label = f"修改{fy.year}年文件总额"
    return _changes(label, lambda: _reset_headline(store, fy.year, (fen, words), (fy.headline_fen, fy.headline_text),
                                                   label))


def _reset_headline(store: Store, year: int, expect: tuple[int | None, str], put: tuple[int | None, str],
                    label: str) -> FundChanges:
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        if (fy.headline_fen, fy.headline_text) != expect:
            raise StaleEdit(f"{year}年文件总额")
        store.db.fund.set_headline(tx, year, *put)
    return _changes(label, lambda: _reset_headline(store, year, put, expect, label))
