"""Monitor subsidies (群测群防员补助) per key-list year: each key point's monitor paid the year's rate (1,200
元 in 2023); a monitor replaced mid-year splits it with the successor by days served (PRO_RATA_RULE in
domain/fund.py), with the patrol entries behind each period. The list is exported for the townships'
一卡通 payment; hazardmap never holds bank account numbers (the townships collect them)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from hazardmap.domain.errors import FieldInvalid, InvalidInput
from hazardmap.services.key_lists import list_of_year
from hazardmap.domain.fund import PRO_RATA_RULE, MonitorReplacement, SubsidyList, SubsidyShare, check_date, \
    check_text, pro_rata, service_periods, yuan_whole
from hazardmap.domain.points import mask_phone
from hazardmap.domain.validation import check_name, check_phone
from hazardmap.files import atomic_write, check_target
from hazardmap.services.fund import AddedRecord, FundChanges, _changes, open_year, year_of
from hazardmap.services.spreadsheet import xlsx_cell
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.services.xlsx_scratch import scratch_in, write_only_workbook

ACCOUNT_NOTE = "补助由县自然资源局拨付至群测群防员“一卡通”账户；账户信息由乡镇（街道）社综中心收集，本表和本软件均不保存银行账号"


def _key_list(store: Store, s, year: int):
    return list_of_year(store, s, year, "，无法计算群测群防员补助")


def subsidy_list(store: Store, year: object) -> SubsidyList:
    """Every monitor of the year's key list with days served, amount and patrols, by 序号."""
    with store.db.read() as s:
        fy = year_of(store, s, year)
        kl = _key_list(store, s, fy.year)
        entries = store.db.key_lists.entries(s, kl.id)
        repl: dict[int, list[MonitorReplacement]] = {}
        for m in store.db.fund.replacements(s, fy.year):
            repl.setdefault(m.point_seq, []).append(m)
        out = SubsidyList(fy.year, fy.monitor_rate_fen, points=len(entries))
        for e in entries:
            people = {f"{fy.year}-01-01": (e.monitor, e.phone)}
            for m in repl.get(e.point_seq, []):
                people[m.effective_on] = (m.monitor, m.phone)
            periods = service_periods(fy.year, list(people))
            amounts = pro_rata(fy.monitor_rate_fen, fy.year, [d for _, _, d in periods])
            for (start, end, days), amount in zip(periods, amounts):
                name, phone = people[start]
                out.shares.append(SubsidyShare(e.point_seq, e.row_no, e.township, e.place, name, phone, start, end, days,
                                               amount, store.db.fund.patrol_counts(s, e.point_seq, start, end)))
    return out


def replace_monitor(store: Store, year: object, point: int, *, on: str, monitor: str, phone: str = "",
                    note: str = "", by: str | None = None) -> FundChanges:
    """A key point's monitor replaced on a date in the year: the subsidy splits by days from then on.
    (The point's current monitor in the register is edited on its own, as before.)"""
    day = check_date(on, "换人日期", "effective_on")
    name = check_name(monitor)
    tel = check_phone(phone) if (phone or "").strip() else ""
    text = check_text(note, "备注", max_len=200)
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        if day[:4] != str(fy.year):
            raise FieldInvalid("effective_on", f"换人日期 {day} 不在 {fy.year} 年内")
        kl = _key_list(store, tx, fy.year)
        if point not in store.db.key_lists.seqs(tx, kl.id):
            raise InvalidInput(f"第 {point} 号隐患点不在{fy.year}年重点隐患点名单上，没有群测群防员补助")
        if any(m.point_seq == point and m.effective_on == day for m in store.db.fund.replacements(tx, fy.year)):
            raise InvalidInput(f"第 {point} 号隐患点 {day} 已登记过换人")
        m = MonitorReplacement(0, fy.year, point, day, name, tel, note=text, recorded_by=by or current_user(),
                               recorded_at=now_iso())
        m = replace(m, id=store.db.fund.insert_replacement(tx, m))
    label = f"登记第 {point} 号隐患点 {day} 起由{name}监测"
    return _changes(label, lambda: _added_replacement(store, m, label).take_out(store), m.id)


def _added_replacement(store: Store, m: MonitorReplacement, label: str) -> AddedRecord:
    return AddedRecord(m, m.id, label, f"第 {m.point_seq} 号隐患点的换人记录", lambda tx: m.year,
                       fetch=lambda tx: store.db.fund.replacement(tx, m.id),
                       delete=lambda tx: store.db.fund.delete_replacement(tx, m.id),
                       insert=lambda tx: store.db.fund.insert_replacement(tx, m))


# ---- export --------------------------------------------------------------------------------------

COLUMNS = ("序号", "乡镇（街道）", "村组", "群测群防员", "联系电话", "在岗起", "在岗止", "在岗天数", "折合月数", "巡查记录（条）",
           "应发补助（元）")
WIDTHS = (6, 12, 22, 12, 14, 12, 12, 9, 9, 11, 13)


def share_row(sh: SubsidyShare, mask: bool) -> list:
    phone = mask_phone(sh.phone) if mask and sh.phone else sh.phone
    return [sh.row_no, sh.township, sh.place, sh.monitor, phone, sh.start, sh.end, sh.days, sh.months, sh.patrols,
            sh.amount_fen // 100]


def export_xlsx(store: Store, year: object, out: str | Path, *, mask_phones: bool = False,
                force: bool = False) -> Path:
    """The year's subsidy list for the townships' 一卡通 payment (no account numbers; phones masked on request)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"导出文件“{out.name}”的扩展名应为 .xlsx")
    check_target(out, force=force)
    sl = subsidy_list(store, year)
    with atomic_write(out, force=force) as partial:
        with scratch_in(partial.parent):
            _write(partial, sl, mask_phones)
    return out


def _write(path: Path, sl: SubsidyList, mask: bool) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = write_only_workbook()
    ws = wb.create_sheet(f"{sl.year}年群测群防员补助")
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    bold = Font(bold=True)
    ws.append([xlsx_cell(ws, f"衡南县{sl.year}年度地质灾害群测群防员补助发放表", font=Font(bold=True, size=14))])
    ws.append([xlsx_cell(ws, f"标准：每处重点隐患点 {yuan_whole(sl.rate_fen)} 元/年；共 {sl.points} 处")])
    ws.append([xlsx_cell(ws, t, font=bold) for t in COLUMNS])
    for sh in sl.shares:
        ws.append([xlsx_cell(ws, v) for v in share_row(sh, mask)])
    ws.append([xlsx_cell(ws, "合计", font=bold), None, None, f"{len(sl.shares)} 人", None, None, None,
               sum(s.days for s in sl.shares), None, sum(s.patrols for s in sl.shares),
               xlsx_cell(ws, sl.total_fen // 100, font=bold)])
    ws.append([])
    ws.append([xlsx_cell(ws, "分摊规则：" + PRO_RATA_RULE)])
    ws.append([xlsx_cell(ws, ACCOUNT_NOTE)])
    ws.append([xlsx_cell(ws, "电话号码已脱敏（中间数字以*代替）" if mask else "含个人信息（姓名、电话），请勿外传")])
    ws.append([xlsx_cell(ws, f"导出时间：{now_iso()}　导出人：{current_user()}")])
    wb.save(path)


def today() -> date:
    return date.today()
