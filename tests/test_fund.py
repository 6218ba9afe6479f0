"""The year's programme: the 2023 plan seeded to the yuan, spending and balances, works and their
acceptance, 三查, monitor subsidies and their pro-rata split, bad input refused with nothing changed."""
from __future__ import annotations

import re

import pytest

from hazardmap.domain.errors import FieldInvalid, FundYearNotFound, InvalidInput, LineNotFound, Overspent, \
    PhaseRecorded, UnknownTownship, YearClosed
from hazardmap.domain.fund import FEN, Phase, SpendDraft, WorkStatus, parse_amount, pro_rata, service_periods
from hazardmap.services import checks, fund, register, subsidies, works
from hazardmap.services.points import get_point
from tests.conftest import COUNTY

pytestmark = pytest.mark.both_backends  # tests with the store or cli fixture run on SQLite and PostgreSQL


def _snapshot(store):
    """Everything the programme holds, to prove a refused edit changed nothing."""
    conn = store.db.conn
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("fund_year", "fund_line", "fund_spending", "fund_work", "fund_work_point", "fund_check",
                      "fund_monitor_change", "hazard_point")}


# ---- the 2023 plan, as the county wrote it --------------------------------------------------------------

def _document_amounts() -> list[int]:
    """Every amount "(N元)" of section 三 of the county's document, in its order."""
    text = (COUNTY / "fund_plan_2023.txt").read_text(encoding="utf-8")
    section = text[text.index("三、资金使用范围"):text.index("四、资金使用管理")]
    return [int(n) for n in re.findall(r"[（(](\d+)元[)）]", section)]


def test_2023_plan_is_seeded_to_the_yuan(store):
    ov = fund.overview(store, 2023)
    budgets = [b.line.budget_fen // FEN for b in ov.balances]
    assert budgets == _document_amounts() == [220000, 69000, 19200, 4210, 1000, 195000, 24000, 16373, 20000, 990000]
    assert [b.line.code for b in ov.balances] == ["一", "二", "三", "四-1", "四-2", "五", "六", "七", "八", "九"]
    assert len({b.line.numeral for b in ov.balances}) == 9
    assert ov.totals.lines_fen == 1_558_783 * FEN
    assert ov.totals.headline_fen == 1_550_000 * FEN and ov.year.headline_text == "155 万元"
    assert ov.totals.difference_fen == 8_783 * FEN  # kept as written, never "fixed"
    assert "155" in (COUNTY / "fund_plan_2023.txt").read_text(encoding="utf-8").split("一、资金来源")[1][:40]
    assert ov.year.doc_no == "清政办函〔2024〕2号"
    assert (ov.year.township_rate_fen, ov.year.monitor_rate_fen) == (3000 * FEN, 1200 * FEN)
    # line 二 is 23 townships × 3,000; line 三 is 16 key points × 1,200
    assert len(store.bundled.townships) * 3000 == 69000 and 16 * 1200 == 19200


def test_2023_works_add_up_to_line_nine_and_name_points_3_and_5(store):
    ws = works.list_works(store, 2023)
    assert len(ws) == 7 and works.works_total(ws) == 990_000 * FEN
    line9 = next(b for b in fund.overview(store, 2023).balances if b.line.code == "九")
    assert works.works_total(ws) == line9.line.budget_fen
    assert {w.seq: w.points for w in ws if w.points} == {2: (3,), 5: (5,)}
    # verified against the document: item 2 names 车江街道胜利村姚家组 and item 5 花桥镇欧东村门冲组,
    # which annex 1 lists as key points 3 and 5
    text = (COUNTY / "fund_plan_2023.txt").read_text(encoding="utf-8")
    annex2 = text[text.index("附件 2:"):]
    assert re.search(r"\n2\t车江街道胜利村姚家组", annex2) and re.search(r"\n5\t花桥镇欧东村门冲组", annex2)
    assert get_point(store, 3).village_group == "胜利村姚家组" and get_point(store, 5).village_group == "欧东村门冲组"
    assert all(w.status is WorkStatus.PLANNED for w in ws)
    assert [w.township for w in ws] == ["栗江镇", "车江街道", "岐山镇", "三塘镇", "花桥镇", "江口镇", "栗江镇"]


# ---- spending -------------------------------------------------------------------------------------------

def test_spending_balances_and_undo(store):
    ch = fund.spend(store, 2023, SpendDraft("七", "2023-06-01", "1,234.50", "某某劳保用品店", "记-0612", "雨衣 50 件"))
    b = next(b for b in fund.overview(store, 2023).balances if b.line.code == "七")
    assert (b.spent_fen, b.balance_fen, b.count) == (123450, 16373 * FEN - 123450, 1)
    redo = ch.undo()
    assert fund.spendings(store, 2023) == []
    redo.undo()
    (sp,) = fund.spendings(store, 2023, "7")
    assert (sp.id, sp.payee, sp.voucher) == (ch.record_id, "某某劳保用品店", "记-0612")


def test_overspending_a_line_asks_for_a_reason(store):
    fund.spend(store, 2023, SpendDraft("四-2", "2023-06-01", "900", "某奖牌厂"))
    before = _snapshot(store)
    with pytest.raises(Overspent) as e:
        fund.spend(store, 2023, SpendDraft("四-2", "2023-06-02", "200", "某奖牌厂"))
    assert "余额只有 100.00 元" in str(e.value) and "超支须写明原因" in str(e.value)
    assert _snapshot(store) == before
    fund.spend(store, 2023, SpendDraft("四-2", "2023-06-02", "200", "某奖牌厂", over_reason="证书加印，经局务会同意"))
    b = next(b for b in fund.overview(store, 2023).balances if b.line.code == "四-2")
    assert b.over and b.balance_fen == -100 * FEN
    assert fund.spendings(store, 2023, "四-2")[-1].over_reason == "证书加印，经局务会同意"


@pytest.mark.parametrize("amount, words", [("-5", "不能为负数"), ("0", "必须大于 0"), ("12.345", "最多两位小数"),
                                           ("一百", "不是金额")])
def test_bad_amounts_are_refused_and_nothing_changes(store, amount, words):
    before = _snapshot(store)
    with pytest.raises(FieldInvalid) as e:
        fund.spend(store, 2023, SpendDraft("一", "2023-06-01", amount, "某技术单位"))
    assert words in str(e.value)
    assert _snapshot(store) == before


def test_closed_year_refuses_spending_until_reopened(store):
    fund.close_year(store, 2023, on="2024-03-31")
    before = _snapshot(store)
    with pytest.raises(YearClosed) as e:
        fund.spend(store, 2023, SpendDraft("一", "2023-06-01", "100", "某技术单位"))
    assert "2023 年度已于 2024-03-31 结账关闭" in str(e.value)
    for refused in (lambda: checks.record(store, 2023, "茅市镇", "汛前排查", done_on="2023-03-01", done_by="张三"),
                    lambda: works.set_status(store, 1, "实施中", on="2023-05-01"),
                    lambda: subsidies.replace_monitor(store, 2023, 1, on="2023-07-01", monitor="王五")):
        with pytest.raises(YearClosed):
            refused()
    assert _snapshot(store) == before
    ch = fund.reopen_year(store, 2023)
    fund.spend(store, 2023, SpendDraft("一", "2023-06-01", "100", "某技术单位"))
    assert len(fund.spendings(store, 2023)) == 1
    with pytest.raises(YearClosed):  # the undo of a reopen closes again: and then refuses its own spending
        ch.undo()
        fund.spend(store, 2023, SpendDraft("一", "2023-06-02", "100", "某技术单位"))


def test_unknown_line_and_year(store):
    with pytest.raises(LineNotFound) as e:
        fund.spend(store, 2023, SpendDraft("十", "2023-06-01", "1", "x"))
    assert "没有“十”这一项" in str(e.value) and "四-1" in str(e.value)
    with pytest.raises(FundYearNotFound) as e2:
        fund.overview(store, 2024)
    assert "没有 2024 年的资金使用方案（已有：2023）" in str(e2.value)


# ---- works ----------------------------------------------------------------------------------------------

def test_accepting_a_work_retires_its_points_only_after_a_confirm(store):
    w2 = next(w for w in works.list_works(store, 2023) if w.seq == 2)
    works.set_status(store, w2.id, "实施中", on="2023-07-01")
    works.set_status(store, w2.id, "完工", on="2023-10-01")
    assert [p.seq for p in works.points_to_retire(store, w2.id)] == [3]
    # accepted without the confirm: the offer stands, nothing is retired
    ch = works.set_status(store, w2.id, "验收", on="2023-11-01")
    assert works.get_work(store, w2.id).status is WorkStatus.ACCEPTED
    assert not get_point(store, 3).retired
    ch.undo()
    assert works.get_work(store, w2.id).status is WorkStatus.FINISHED
    # with the confirm: point 3 (and only point 3) is retired, the work named as the reason
    active_before = {p.seq for p in register.points_in_view(store)}
    ch = works.set_status(store, w2.id, "验收", on="2023-11-01", retire_points=True, retire_doc="衡南自然资〔2023〕9号")
    p3 = get_point(store, 3)
    assert p3.retired and p3.retired_on == "2023-11-01" and p3.retire_doc == "衡南自然资〔2023〕9号"
    assert "排危除险" in p3.retire_reason and "第 2 项" in p3.retire_reason
    assert {p.seq for p in register.points_in_view(store)} == active_before - {3}
    assert [c.action.value for c in register.point_changes(store, 3)] == ["retire"]
    # one undo takes back both; the redo does both again
    redo = ch.undo()
    assert not get_point(store, 3).retired and works.get_work(store, w2.id).status is WorkStatus.FINISHED
    redo.undo()
    assert get_point(store, 3).retired and works.get_work(store, w2.id).accepted_on == "2023-11-01"
    assert works.points_to_retire(store, w2.id) == []


def test_work_status_moves_forward_only(store):
    w = works.list_works(store, 2023)[0]
    works.set_status(store, w.id, "完工", on="2023-09-01")
    with pytest.raises(InvalidInput) as e:
        works.set_status(store, w.id, "实施中", on="2023-09-02")
    assert "只能向后推进" in str(e.value)
    with pytest.raises(InvalidInput):
        works.set_status(store, w.id, "完工", on="2023-09-02", retire_points=True)


def test_add_edit_attach_and_undo(store, tmp_path):
    ch = works.add_work(store, 2023, {"site": "茅市镇某村滑坡", "township": "茅市镇", "budget": "12000",
                                      "points": "1、2", "contractor": "某建设公司"})
    w = works.get_work(store, ch.record_id)
    assert (w.seq, w.points, w.budget_fen, w.status) == (8, (1, 2), 12000 * FEN, WorkStatus.PLANNED)
    works.edit_work(store, w.id, {"budget": "13000", "points": "2"})
    assert works.get_work(store, w.id).points == (2,)
    doc = tmp_path / "验收报告.pdf"
    doc.write_bytes(b"%PDF-1.4 test")
    works.attach(store, w.id, [doc])
    (d,) = works.get_work(store, w.id).docs
    assert d.original_name == "验收报告.pdf" and works.doc_path(store, d.path).read_bytes() == b"%PDF-1.4 test"
    assert works.works_of_point(store, 2)[0].id == w.id
    with pytest.raises(UnknownTownship):
        works.add_work(store, 2023, {"site": "x", "township": "火星镇", "budget": "1"})
    with pytest.raises(FieldInvalid, match="不能为负数"):
        works.edit_work(store, w.id, {"budget": "-1"})


# ---- 三查 ------------------------------------------------------------------------------------------------

def test_checks_allowance_due_after_three_phases_and_late_townships(store):
    from datetime import date

    for phase, day in (("汛前排查", "2023-03-20"), ("汛中巡查", "2023-07-10")):
        checks.record(store, 2023, "茅市镇", phase, done_on=day, done_by="张三", points_checked=5, problems=1)
    ov = checks.overview(store, 2023, today=date(2023, 12, 31))
    town = next(t for t in ov.townships if t.township == "茅市镇")
    assert len(ov.townships) == 23 and not town.complete and town.allowance_fen == 0
    assert town.late == (Phase.POST,)
    ch = checks.record(store, 2023, "茅市镇", "汛后核查", done_on="2023-12-05", done_by="张三")
    ov = checks.overview(store, 2023, today=date(2023, 12, 31))
    town = next(t for t in ov.townships if t.township == "茅市镇")
    assert town.complete and town.allowance_fen == 3000 * FEN and ov.allowance_due_fen == 3000 * FEN
    assert town.late == (Phase.POST,)  # recorded after its (default) due date
    assert len(ov.late) == 23
    ch.undo()
    assert checks.overview(store, 2023).allowance_due_fen == 0


def test_checks_refuse_unknown_township_and_a_phase_twice(store):
    checks.record(store, 2023, "云集街道", "汛前排查", done_on="2023-03-01", done_by="李四")
    before = _snapshot(store)
    with pytest.raises(PhaseRecorded) as e:
        checks.record(store, 2023, "云集街道", "汛前排查", done_on="2023-03-02", done_by="王五")
    assert str(e.value) == "云集街道2023年的汛前排查已于 2023-03-01 登记过，不能重复登记"
    with pytest.raises(UnknownTownship) as e2:
        checks.record(store, 2023, "云集镇", "汛前排查", done_on="2023-03-02", done_by="王五")
    assert "不是衡南县的乡镇" in str(e2.value)
    with pytest.raises(FieldInvalid, match="不能为负数"):
        checks.record(store, 2023, "茅市镇", "汛前排查", done_on="2023-03-02", done_by="王五", points_checked=-1)
    with pytest.raises(FieldInvalid, match="可选"):
        checks.record(store, 2023, "茅市镇", "汛期检查", done_on="2023-03-02", done_by="王五")
    with pytest.raises(FieldInvalid, match="不在 2023 年内"):
        checks.record(store, 2023, "茅市镇", "汛前排查", done_on="2022-12-02", done_by="王五")
    assert _snapshot(store) == before


# ---- subsidies and the pro-rata rule --------------------------------------------------------------------

def test_pro_rata_rule_at_its_edges():
    # replaced on 1 January: the first monitor served no day and is left out
    assert service_periods(2023, ["2023-01-01"]) == [("2023-01-01", "2023-12-31", 365)]
    assert pro_rata(1200 * FEN, 2023, [365]) == [1200 * FEN]
    # replaced on 31 December: 364 days and 1 day, 1196.71 -> 1197 and the remainder 3
    assert service_periods(2023, ["2023-01-01", "2023-12-31"]) == [("2023-01-01", "2023-12-30", 364),
                                                                   ("2023-12-31", "2023-12-31", 1)]
    assert pro_rata(1200 * FEN, 2023, [364, 1]) == [1197 * FEN, 3 * FEN]
    # twice in a year: 90 + 183 + 92 days -> 296 (295.89), 602 (601.64), remainder 302 (302.47)
    assert pro_rata(1200 * FEN, 2023, [90, 183, 92]) == [296 * FEN, 602 * FEN, 302 * FEN]
    # rounding each share alone would pay 1,199 (3 + 3 + 1193): the last takes the remainder, 1,194
    assert pro_rata(1200 * FEN, 2023, [1, 1, 363]) == [3 * FEN, 3 * FEN, 1194 * FEN]
    # a leap year counts 366 days; half a year rounds half up
    assert pro_rata(1200 * FEN, 2024, [183, 183]) == [600 * FEN, 600 * FEN]
    assert pro_rata(1000 * FEN, 2023, [73, 292]) == [200 * FEN, 800 * FEN]


def test_subsidies_2023_whole_year_and_replacements(store):
    sl = subsidies.subsidy_list(store, 2023)
    assert (len(sl.shares), sl.total_fen) == (16, 19_200 * FEN)
    assert all(s.days == 365 and s.amount_fen == 1200 * FEN and s.months == 12.0 for s in sl.shares)
    first = sl.shares[0]
    assert (first.row_no, first.monitor, first.start, first.end) == (1, "罗金春", "2023-01-01", "2023-12-31")
    # point 1: replaced on 1 January -> only the successor, the whole 1,200
    subsidies.replace_monitor(store, 2023, 1, on="2023-01-01", monitor="测试甲")
    # point 2: replaced on 31 December
    subsidies.replace_monitor(store, 2023, 2, on="2023-12-31", monitor="测试乙", phone="13800000000")
    # point 4: replaced twice
    subsidies.replace_monitor(store, 2023, 4, on="2023-04-01", monitor="测试丙")
    ch = subsidies.replace_monitor(store, 2023, 4, on="2023-10-01", monitor="测试丁")
    sl = subsidies.subsidy_list(store, 2023)
    by_point: dict[int, list] = {}
    for s in sl.shares:
        by_point.setdefault(s.point_seq, []).append((s.monitor, s.days, s.amount_fen // FEN))
    assert by_point[1] == [("测试甲", 365, 1200)]
    assert by_point[2] == [("李新菊", 364, 1197), ("测试乙", 1, 3)]
    assert by_point[4] == [("胡桂初", 90, 296), ("测试丙", 183, 602), ("测试丁", 92, 302)]
    assert sl.total_fen == 19_200 * FEN  # the split never changes the line's total
    ch.undo()
    assert [s.monitor for s in subsidies.subsidy_list(store, 2023).shares if s.point_seq == 4] == ["胡桂初", "测试丙"]
    with pytest.raises(InvalidInput, match="不在 2023 年内"):
        subsidies.replace_monitor(store, 2023, 4, on="2024-01-01", monitor="测试戊")
    with pytest.raises(InvalidInput, match="已登记过换人"):
        subsidies.replace_monitor(store, 2023, 4, on="2023-04-01", monitor="测试戊")


def test_subsidy_export_masks_phones_and_holds_no_account(store, tmp_path):
    from openpyxl import load_workbook

    out = subsidies.export_xlsx(store, 2023, tmp_path / "补助.xlsx", mask_phones=True)
    ws = load_workbook(out).active
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    text = "\n".join(str(c) for r in rows for c in r if c is not None)
    assert "138****2467" in text and "13875622467" not in text
    assert "账号" in text and "不保存银行账号" in text
    header = next(r for r in rows if r and r[0] == "序号")
    assert not any("账号" in str(h) for h in header)
    total = next(r for r in rows if r and r[0] == "合计")
    body = rows[rows.index(header) + 1:rows.index(total)]
    assert sum(r[-1] for r in body) == total[-1] == 19200


def test_parse_amount_forms():
    assert parse_amount("1,234.5") == 123450 and parse_amount("￥20000元") == 2000000 and parse_amount(3) == 300


# ---- the execution report ------------------------------------------------------------------------------

def _busy_year(store):
    fund.spend(store, 2023, SpendDraft("一", "2023-08-01", "110000", "某地质勘查院", "记-0801"))
    fund.spend(store, 2023, SpendDraft("七", "2023-06-01", "1234.50", "某劳保用品店"))
    fund.spend(store, 2023, SpendDraft("四-2", "2023-06-01", "1000.01", "某奖牌厂", over_reason="加印"))
    w = works.list_works(store, 2023)[1]
    works.set_status(store, w.id, "实施中", on="2023-07-01")
    for phase, day in (("汛前排查", "2023-03-20"), ("汛中巡查", "2023-07-10"), ("汛后核查", "2023-10-05")):
        checks.record(store, 2023, "茅市镇", phase, done_on=day, done_by="张三")
    subsidies.replace_monitor(store, 2023, 4, on="2023-04-01", monitor="测试丙")


def test_report_totals_tie_out(store, tmp_path):
    from datetime import date

    from openpyxl import load_workbook

    from hazardmap.reports.fund_report import build, write_report

    _busy_year(store)
    r = build(store, 2023, today=date(2023, 12, 31))
    out = write_report(store, 2023, tmp_path / "执行情况.xlsx", today=date(2023, 12, 31))
    wb = load_workbook(out)
    rows = [r for r in wb["资金执行"].iter_rows(min_row=3, values_only=True)]
    total = next(x for x in rows if x[0] == "合计")
    body = rows[:rows.index(total)]
    assert len(body) == 10
    for col in (2, 3, 4):  # budget, spent, balance: the rows add up to the total line
        assert round(sum(x[col] for x in body), 2) == total[col]
    assert all(round(x[2] - x[3], 2) == x[4] for x in body)
    assert total[2] == 1_558_783 and total[3] == 112_234.51 and total[4] == round(1_558_783 - 112_234.51, 2)
    assert total[3] * FEN == sum(s.amount_fen for s in fund.spendings(store, 2023))
    headline = next(x for x in rows if x[0] == "文件总额")
    diff = next(x for x in rows if x[0] == "差额")
    assert (headline[2], diff[2]) == (1_550_000, 8_783) and total[2] - headline[2] == diff[2]
    works_rows = list(wb["排危除险工程"].iter_rows(min_row=3, values_only=True))
    assert sum(x[3] for x in works_rows[:-1]) == works_rows[-1][3] == 990_000 == body[-1][2]
    check_rows = list(wb["三查"].iter_rows(min_row=3, values_only=True))
    towns = [x for x in check_rows if x[0] and x[0] not in ("合计",) and not str(x[0]).startswith("期限")]
    check_total = next(x for x in check_rows if x[0] == "合计")
    assert len(towns) == 23 and sum(x[5] for x in towns) == check_total[5] == 3000
    sub_rows = list(wb["群测群防员补助"].iter_rows(min_row=3, values_only=True))
    sub_total = next(x for x in sub_rows if x[0] == "合计")
    assert sum(x[9] for x in sub_rows[:sub_rows.index(sub_total)]) == sub_total[9] == 19_200 == body[2][2]
    assert r.plan.totals.lines_fen == sum(b.line.budget_fen for b in r.plan.balances)


def test_report_pdf_shows_the_same_totals(store, tmp_path):
    import shutil
    import subprocess

    from hazardmap.reports.fund_report import write_report

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    _busy_year(store)
    pdf = write_report(store, 2023, tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for figure in ("1,558,783.00", "112,234.51", "1,446,548.49", "990,000.00", "19,200.00", "3,000.00",
                   "多 8,783 元", "155 万元", "超支 -0.01"):
        assert figure in text, figure
    assert "编制人" in text and "审核人" in text and "第1页" in text.replace(" ", "")


# ---- the command line ------------------------------------------------------------------------------------

def _cli(capsys, *argv):
    from hazardmap.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_fund_works_checks_subsidies(home, capsys, tmp_path):
    code, out, _ = _cli(capsys, "fund", "show", "--year", "2023")
    assert code == 0 and "1,558,783.00" in out and "多 8,783 元" in out
    code, _, err = _cli(capsys, "fund", "spend", "--year", "2023", "--line", "七", "--date", "2023-05-01",
                        "--amount", "-3", "--payee", "某厂")
    assert code == 2 and "错误：支出金额不能为负数" in err
    code, out, _ = _cli(capsys, "fund", "spend", "--line", "7", "--date", "2023-05-01", "--amount", "300",
                        "--payee", "某厂")
    assert code == 0 and "余额 16,073.00 元" in out
    code, out, _ = _cli(capsys, "works", "status", "2", "验收", "--date", "2023-11-01")
    assert code == 0 and "仍在册：第 3 号" in out and "retire-points 2" in out
    code, out, _ = _cli(capsys, "works", "retire-points", "2")
    assert code == 0 and "已核销：第 3 号" in out
    code, _, err = _cli(capsys, "checks", "record", "--township", "火星镇", "--phase", "汛前排查", "--date",
                        "2023-03-01", "--by", "张三")
    assert code == 2 and "不是衡南县的乡镇" in err
    assert _cli(capsys, "checks", "record", "--township", "茅市镇", "--phase", "汛前排查", "--date", "2023-03-01",
                "--by", "张三")[0] == 0
    code, _, err = _cli(capsys, "checks", "record", "--township", "茅市镇", "--phase", "汛前排查", "--date",
                        "2023-03-02", "--by", "李四")
    assert code == 2 and "不能重复登记" in err
    code, out, _ = _cli(capsys, "checks", "--year", "2023")
    assert code == 0 and "茅市镇" in out and "2023-03-01" in out
    code, out, _ = _cli(capsys, "subsidies", "--year", "2023", "--out", str(tmp_path / "s.xlsx"), "--mask-phones")
    assert code == 0 and "电话已脱敏" in out
    code, _, err = _cli(capsys, "subsidies", "--year", "2023", "--out", str(tmp_path / "s.xlsx"))
    assert code == 2 and "--force" in err
    assert _cli(capsys, "fund", "close", "--year", "2023")[0] == 0
    code, _, err = _cli(capsys, "fund", "spend", "--line", "一", "--date", "2023-05-01", "--amount", "1", "--payee", "x")
    assert code == 2 and "结账关闭" in err and "fund reopen --year 2023" in err
    code, out, _ = _cli(capsys, "fund", "report", "--year", "2023", "--out", str(tmp_path / "r.pdf"))
    assert code == 0 and (tmp_path / "r.pdf").stat().st_size > 10_000


# ---- 三查 deadlines: the product's defaults, labelled, and the bureau's own per year -----------------------

def test_checks_deadlines_are_a_per_year_setting(store):
    from datetime import date

    from hazardmap.domain.fund import deadlines_note

    due = checks.deadlines(store, 2023)
    assert [d.mmdd for d in due.values()] == ["03-31", "09-30", "11-30"] and all(d.is_default for d in due.values())
    assert "本软件默认" in deadlines_note(due) and "非县里文件规定" in deadlines_note(due)
    checks.record(store, 2023, "茅市镇", "汛前排查", done_on="2023-04-10", done_by="张三")
    town = lambda: next(t for t in checks.overview(store, 2023, today=date(2023, 4, 20)).townships  # noqa: E731
                        if t.township == "茅市镇")
    assert town().late == (Phase.PRE,)  # 4月10日 is after the default 3月31日
    ch = checks.set_deadline(store, 2023, "汛前排查", "4月15日", by="李局")
    d = checks.deadlines(store, 2023)[Phase.PRE]
    assert (d.mmdd, d.is_default, d.changed_by) == ("04-15", False, "李局") and d.changed_at
    assert town().late == ()
    assert "汛前排查 4月15日前（局里设定：李局" in deadlines_note(checks.deadlines(store, 2023))
    assert "汛前排查" in store.db.conn.execute("SELECT note FROM setting WHERE key = 'checks_due.2023.pre'").fetchone()[0]
    redo = ch.undo()
    assert checks.deadlines(store, 2023)[Phase.PRE].is_default and town().late == (Phase.PRE,)
    redo.undo()
    assert checks.deadlines(store, 2023)[Phase.PRE].mmdd == "04-15"
    checks.set_deadline(store, 2023, "汛前排查", default=True)
    assert checks.deadlines(store, 2023)[Phase.PRE] .mmdd == "03-31"
    before = _snapshot(store), store.db.conn.execute("SELECT * FROM setting ORDER BY key").fetchall()
    for due_text, words in (("02-30", "不是有效日期"), ("2024-04-01", "不在 2023 年内"), ("10-01", "应早于汛中巡查期限")):
        with pytest.raises(FieldInvalid, match=words):
            checks.set_deadline(store, 2023, "汛前排查", due_text)
    assert (_snapshot(store), store.db.conn.execute("SELECT * FROM setting ORDER BY key").fetchall()) == before


def test_cli_checks_deadlines(home, capsys):
    code, out, _ = _cli(capsys, "checks", "deadlines", "--year", "2023", "--phase", "汛中巡查", "--date", "08-31",
                        "--by", "李局")
    assert code == 0 and "设定2023年三查期限（汛中巡查 08-31）" in out and "汛中巡查 8月31日前（局里设定：李局" in out
    code, out, _ = _cli(capsys, "checks", "--year", "2023")
    assert "汛中巡查 8月31日前（局里设定" in out and "汛前排查 3月31日前（本软件默认）" in out
    code, _, err = _cli(capsys, "checks", "deadlines", "--year", "2023", "--phase", "汛后核查", "--date", "13-01")
    assert code == 2 and "汛后核查期限“13-01”不是有效日期" in err


# ---- spending dated outside its fund year; the report's page count ----------------------------------------

def test_spending_after_the_fund_year_needs_the_bureaus_word_and_before_it_never(store):
    from hazardmap.domain.errors import OutsideFundYear

    before = _snapshot(store)
    with pytest.raises(OutsideFundYear) as e:
        fund.spend(store, 2023, SpendDraft("一", "2024-02-05", "1000", "某地质勘查院"))
    assert str(e.value) == ("支出日期 2024-02-05 已在 2023 年之后：如这笔钱确属 2023 年度资金（跨年支付），请确认后再登记；"
                            "否则请登记到 2024 年度")
    with pytest.raises(OutsideFundYear, match="不能早于 2023-01-01"):
        fund.spend(store, 2023, SpendDraft("一", "2022-12-30", "1000", "某地质勘查院", cross_year=True))
    assert _snapshot(store) == before
    ch = fund.spend(store, 2023, SpendDraft("一", "2024-02-05", "1000", "某地质勘查院", cross_year=True))
    (sp,) = fund.spendings(store, 2023)
    assert sp.cross_year and sp.spent_on == "2024-02-05"
    redo = ch.undo()
    redo.undo()
    assert fund.spendings(store, 2023)[0].cross_year
    fund.spend(store, 2023, SpendDraft("一", "2023-12-31", "1", "某地质勘查院"))
    assert [s.cross_year for s in fund.spendings(store, 2023)] == [False, True]


def test_cli_spend_after_the_year_names_the_flag(home, capsys):
    code, _, err = _cli(capsys, "fund", "spend", "--year", "2023", "--line", "一", "--date", "2024-02-05", "--amount",
                        "1000", "--payee", "某地质勘查院")
    assert code == 2 and "请确认后再登记" in err and "--belongs-to-year" in err
    code, out, _ = _cli(capsys, "fund", "spend", "--year", "2023", "--line", "一", "--date", "2024-02-05", "--amount",
                        "1000", "--payee", "某地质勘查院", "--belongs-to-year")
    assert code == 0
    code, out, _ = _cli(capsys, "fund", "show", "--year", "2023", "--spending")
    assert "2024-02-05（跨年）" in out


def test_report_footer_says_page_of_pages(store, tmp_path):
    import shutil
    import subprocess

    from hazardmap.reports.fund_report import write_report

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    _busy_year(store)
    pdf = write_report(store, 2023, tmp_path / "r.pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for i, text in enumerate(pages, start=1):
        assert f"第{i}页共{len(pages)}页" in text.replace(" ", ""), i


def test_a_work_removed_and_put_back_keeps_its_id_and_points(store):
    """The redo of an undone add writes the row under its old id: the points must follow that id on both
    backends (PostgreSQL's lastval() would name another row; the repositories use RETURNING id)."""
    ch = works.add_work(store, 2023, {"site": "茅市镇某村滑坡", "township": "茅市镇", "budget": "12000", "points": "1、2"})
    works.add_work(store, 2023, {"site": "花桥镇某村崩塌", "township": "花桥镇", "budget": "8000"})  # draws a later id
    undone = ch.undo()
    assert all(w.id != ch.record_id for w in works.list_works(store, 2023))
    undone.undo()
    w = works.get_work(store, ch.record_id)
    assert (w.site, w.points) == ("茅市镇某村滑坡", (1, 2))
