"""The year's plan (资金使用方案): its lines and budgets, spending against a line, balances, closing a year.

Each edit runs in one write transaction, reads the current state inside it and returns Changes with one
undo step. A closed year (结账) refuses every edit until it is reopened."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import FundYearNotFound, LineNotFound, OutsideFundYear, Overspent, SpendingNotFound, \
    StaleEdit, YearClosed
from hazardmap.domain.fund import FundLine, FundYear, LineBalance, PlanTotals, SpendDraft, Spending, check_date, \
    check_text, check_year, norm_code, parse_amount, totals, yuan
from hazardmap.domain.errors import FieldInvalid
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session


@dataclass(frozen=True)
class FundChanges(Changes):
    """Changes that also name the record made (the CLI prints its number)."""
    record_id: int | None = None


def _changes(label: str, undo, record_id: int | None = None, points: frozenset[int] = frozenset()) -> FundChanges:
    return FundChanges(points=points, fund=True, label=label, undo=undo, record_id=record_id)


# ---- years ----------------------------------------------------------------------------------------

def list_years(store: Store) -> list[FundYear]:
    with store.db.read() as s:
        return store.db.fund.years(s)


def year_of(store: Store, s: Session, year: object) -> FundYear:
    y = check_year(year)
    fy = store.db.fund.year(s, y)
    if fy is None:
        raise FundYearNotFound(y, [f.year for f in store.db.fund.years(s)])
    return fy


def open_year(store: Store, s: Session, year: object) -> FundYear:
    """The year, refusing if it is closed (every edit of the programme goes through here)."""
    fy = year_of(store, s, year)
    if fy.closed:
        raise YearClosed(fy.year, fy.closed_on or "")
    return fy


def get_year(store: Store, year: object) -> FundYear:
    with store.db.read() as s:
        return year_of(store, s, year)


def not_in_future(day: str, what: str, field_key: str = "date") -> str:
    if day > date.today().isoformat():
        raise FieldInvalid(field_key, f"{what}（{day}）晚于今天，请核对")
    return day


# ---- plan and balances ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanOverview:
    year: FundYear
    balances: list[LineBalance]
    totals: PlanTotals


def overview(store: Store, year: object) -> PlanOverview:
    with store.db.read() as s:
        return _overview(store, s, year)


def _overview(store: Store, s: Session, year: object) -> PlanOverview:
    fy = year_of(store, s, year)
    spent = store.db.fund.spent_by_line(s, fy.year)
    balances = [LineBalance(ln, *spent.get(ln.id, (0, 0))) for ln in store.db.fund.lines(s, fy.year)]
    return PlanOverview(fy, balances, totals(fy, balances))


def find_line(lines: list[FundLine], text: object, year: int) -> FundLine:
    """A line by its code as the document numbers it: 一 … 九, 四-1 for a part (also 4, 4-1, 4.1, （四）)."""
    t = norm_code(text)
    for ln in lines:
        if t in (ln.code, f"{ln.numeral}{ln.part}"):
            return ln
    raise LineNotFound(str(text), year, [ln.code for ln in lines])


def lines(store: Store, year: object) -> list[FundLine]:
    with store.db.read() as s:
        return store.db.fund.lines(s, year_of(store, s, year).year)


def spendings(store: Store, year: object, line: object = None) -> list[Spending]:
    with store.db.read() as s:
        fy = year_of(store, s, year)
        line_id = find_line(store.db.fund.lines(s, fy.year), line, fy.year).id if line not in (None, "") else None
        return store.db.fund.spendings(s, fy.year, line_id)


# ---- spending -----------------------------------------------------------------------------------------

def check_spend(draft: SpendDraft) -> SpendDraft:
    """What the user typed, checked before anything is read: amount (yuan, > 0), date, payee."""
    parse_amount(draft.amount, "支出金额")
    return replace(draft, spent_on=not_in_future(check_date(draft.spent_on, "支出日期", "spent_on"), "支出日期", "spent_on"),
                   payee=check_text(draft.payee, "收款单位（人）", required=True, field_key="payee"),
                   voucher=check_text(draft.voucher, "凭证号", max_len=60, field_key="voucher"),
                   note=check_text(draft.note, "备注", max_len=500, field_key="note"),
                   over_reason=check_text(draft.over_reason, "超支原因", max_len=500, field_key="over_reason"))


def spend(store: Store, year: object, draft: SpendDraft, *, by: str | None = None) -> FundChanges:
    """Record a payment against a line. Overspending the line needs draft.over_reason (Overspent)."""
    d = check_spend(draft)
    amount = parse_amount(d.amount, "支出金额")
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        cross_year = d.spent_on[:4] > str(fy.year)
        if d.spent_on[:4] < str(fy.year) or (cross_year and not d.cross_year):
            raise OutsideFundYear(fy.year, d.spent_on, after=cross_year)
        line = find_line(store.db.fund.lines(tx, fy.year), d.line, fy.year)
        spent = store.db.fund.spent_by_line(tx, fy.year).get(line.id, (0, 0))[0]
        balance = line.budget_fen - spent
        if amount > balance and not d.over_reason:
            raise Overspent(line.label, yuan(balance), yuan(amount))
        if d.work_id is not None:
            w = store.db.fund.work(tx, d.work_id)
            if w is None or w.year != fy.year:
                from hazardmap.domain.errors import WorkNotFound

                raise WorkNotFound(d.work_id)
        sp = Spending(0, line.id, d.spent_on, amount, d.payee, d.voucher, d.note,
                      d.over_reason if amount > balance else "", d.work_id, by or current_user(), now_iso(), cross_year)
        sp = replace(sp, id=store.db.fund.insert_spending(tx, sp))
    label = f"登记支出 {yuan(amount)} 元（{line.code}）"
    return _changes(label, lambda: _added_spending(store, sp, label).take_out(store), sp.id)


@dataclass(frozen=True)
class AddedRecord:
    """One record a step added (a payment, a monitor replacement) and how to take it out and put it back:
    `year(tx)` is the plan year it belongs to (None when its line is gone), `fetch(tx)` reads it as stored
    now, `what` names it in a StaleEdit. Taking out needs it unchanged; putting back needs it absent."""
    record: object
    record_id: int
    label: str
    what: str
    year: Callable[[Session], int | None]
    fetch: Callable[[Session], object]
    delete: Callable[[Session], None]
    insert: Callable[[Session], object]

    def take_out(self, store: Store) -> FundChanges:
        with store.db.write() as tx:
            year = self.year(tx)
            if year is not None:
                open_year(store, tx, year)
            if self.fetch(tx) != self.record:
                raise StaleEdit(self.what)
            self.delete(tx)
        return _changes(self.label, lambda: self.put_back(store), self.record_id)

    def put_back(self, store: Store) -> FundChanges:
        with store.db.write() as tx:
            year = self.year(tx)
            if year is None or self.fetch(tx) is not None:
                raise StaleEdit(self.what)
            open_year(store, tx, year)
            self.insert(tx)
        return _changes(self.label, lambda: self.take_out(store), self.record_id)


def _added_spending(store: Store, sp: Spending, label: str) -> AddedRecord:
    def line_year(tx: Session) -> int | None:
        return next((ln.year for fy in store.db.fund.years(tx) for ln in store.db.fund.lines(tx, fy.year)
                     if ln.id == sp.line_id), None)

    return AddedRecord(sp, sp.id, label, f"支出记录 {sp.id}", line_year,
                       fetch=lambda tx: store.db.fund.spending(tx, sp.id),
                       delete=lambda tx: store.db.fund.delete_spending(tx, sp.id),
                       insert=lambda tx: store.db.fund.insert_spending(tx, sp))


def remove_spending(store: Store, spending_id: int, *, by: str | None = None) -> FundChanges:
    """Take back a payment entered by mistake (one undo step puts it back)."""
    with store.db.write() as tx:
        sp = store.db.fund.spending(tx, spending_id)
        if sp is None:
            raise SpendingNotFound(spending_id)
    label = f"删除支出记录 {spending_id}"
    removed = _added_spending(store, sp, label).take_out(store)
    return _changes(label, removed.undo, spending_id)


# ---- closing a year -----------------------------------------------------------------------------------

def close_year(store: Store, year: object, *, on: str | None = None, by: str | None = None) -> FundChanges:
    """结账: the year takes no more spending or records (YearClosed) until reopened."""
    day = check_date(on, "结账日期") if on else date.today().isoformat()
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        store.db.fund.set_closed(tx, fy.year, day, by or current_user())
    label = f"{fy.year}年度结账"
    return _changes(label, lambda: _set_closed(store, fy.year, None, None, expect_closed=True, label=label))


def reopen_year(store: Store, year: object, *, by: str | None = None) -> FundChanges:
    with store.db.write() as tx:
        fy = year_of(store, tx, year)
        if not fy.closed:
            from hazardmap.domain.errors import InvalidInput

            raise InvalidInput(f"{fy.year} 年度没有结账，无需重新打开")
        store.db.fund.set_closed(tx, fy.year, None, None)
    label = f"重新打开{fy.year}年度"
    return _changes(label, lambda: _set_closed(store, fy.year, fy.closed_on, fy.closed_by, expect_closed=False,
                                               label=label))


def _set_closed(store: Store, year: int, on: str | None, by: str | None, *, expect_closed: bool,
                label: str) -> FundChanges:
    with store.db.write() as tx:
        fy = year_of(store, tx, year)
        if fy.closed != expect_closed:
            raise StaleEdit(f"{year} 年度的结账状态")
        store.db.fund.set_closed(tx, year, on, by)
    return _changes(label, lambda: _set_closed(store, year, fy.closed_on, fy.closed_by, expect_closed=not expect_closed,
                                               label=label))
