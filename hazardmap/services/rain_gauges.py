"""Use cases on the rain-gauge programme: 15 slots, each assigned to a gazetteer village."""
from __future__ import annotations

import re
import sqlite3

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import Ambiguous, InvalidInput, NotFound, StaleEdit
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.geodata.bundled import Village
from hazardmap.services.store import Store, current_user, now_iso

_CODE = re.compile(r"^\d{12}$")


def _site(r: sqlite3.Row) -> RainGaugeSite:
    return RainGaugeSite(r["slot"], r["village_code"], r["village"], r["township"], r["lon"], r["lat"],
                         r["assigned_by"], r["assigned_at"])


def list_sites(store: Store) -> list[RainGaugeSite]:
    return [_site(r) for r in store.db.conn.execute("SELECT * FROM rain_gauge_site ORDER BY slot")]


def assigned_count(store: Store) -> tuple[int, int]:
    done, total = store.db.conn.execute(
        "SELECT COUNT(village_code), COUNT(*) FROM rain_gauge_site").fetchone()
    return done, total


def _slot(store: Store, slot: int) -> RainGaugeSite:
    row = store.db.conn.execute("SELECT * FROM rain_gauge_site WHERE slot = ?", (slot,)).fetchone()
    if row is None:
        total = assigned_count(store)[1]
        raise NotFound(f"没有第 {slot} 号雨量计站点（共 {total} 个，编号 1～{total}）")
    return _site(row)


def find_village(store: Store, name_or_code: str, township: str | None = None) -> Village:
    """Resolve a village by 12-digit code or by name (optionally within a township)."""
    text = name_or_code.strip()
    if township and store.bundled.township(township) is None:
        raise NotFound(f"衡南县没有名为“{township}”的乡镇（街道）")
    if _CODE.match(text):
        village = store.bundled.village_by_code(text)
        if village is None:
            raise NotFound(f"村庄名录中没有代码为 {text} 的村（社区）")
        return village
    matches = store.bundled.villages_named(text, township)
    if not matches:
        where = f"{township}" if township else "衡南县"
        raise NotFound(f"{where}的村庄名录中没有“{text}”")
    if len(matches) > 1:
        listing = "；".join(f"{v.township} {v.name}（{v.code}）" for v in matches)
        raise Ambiguous(f"有 {len(matches)} 个“{text}”：{listing}。请用 --township 指定乡镇", matches)
    return matches[0]


def assign(store: Store, slot: int, village: str, *, township: str | None = None,
           by: str | None = None) -> Changes:
    v = find_village(store, village, township)
    who, when = by or current_user(), now_iso()
    with store.db.write() as conn:
        site = _slot(store, slot)
        other = conn.execute("SELECT slot FROM rain_gauge_site WHERE village_code = ? AND slot != ?",
                             (v.code, slot)).fetchone()
        if other:
            raise InvalidInput(f"{v.township}{v.name} 已是第 {other['slot']} 号雨量计站点；一个村只装一台")
        if site.village_code == v.code:
            return Changes()
        new = RainGaugeSite(slot, v.code, v.name, v.township, v.lon, v.lat, who, when)
        _write_site(conn, new)
    label = f"第 {slot} 号雨量计站点设为{v.township}{v.name}"
    return store.announce(Changes(rain_gauges=True, label=label,
                                  undo=lambda: put_sites(store, [site], expect=[new], label=label)))


def clear(store: Store, slot: int) -> Changes:
    with store.db.write() as conn:
        site = _slot(store, slot)
        if not site.assigned:
            return Changes()
        empty = RainGaugeSite(slot, None, None, None, None, None, None, None)
        _write_site(conn, empty)
    label = f"清空第 {slot} 号雨量计站点"
    return store.announce(Changes(rain_gauges=True, label=label,
                                  undo=lambda: put_sites(store, [site], expect=[empty], label=label)))


def _write_site(conn, site: RainGaugeSite) -> None:
    conn.execute("UPDATE rain_gauge_site SET village_code = ?, village = ?, township = ?, lon = ?, lat = ?,"
                 " assigned_by = ?, assigned_at = ? WHERE slot = ?",
                 (site.village_code, site.village, site.township, site.lon, site.lat, site.assigned_by,
                  site.assigned_at, site.slot))


def put_sites(store: Store, sites: list[RainGaugeSite], *, expect: list[RainGaugeSite], label: str) -> Changes:
    """Set several slots back to exactly the given states in one transaction (undo and redo of an
    assignment or an import). Refused if any slot changed since `expect` (another window or PC)."""
    with store.db.write() as conn:
        before = [_slot(store, s.slot) for s in sites]
        if before != list(expect):
            raise StaleEdit("雨量计站点")
        slots = {s.slot for s in sites}
        for s in sites:  # one village, one slot (the column is UNIQUE)
            if s.village_code is None:
                continue
            other = conn.execute("SELECT slot FROM rain_gauge_site WHERE village_code = ?",
                                 (s.village_code,)).fetchone()
            if other and other["slot"] not in slots:
                raise InvalidInput(f"{s.township}{s.village} 已是第 {other['slot']} 号雨量计站点；一个村只装一台")
        for s in sites:  # empty first: a swap between two slots must not trip the UNIQUE column
            _write_site(conn, RainGaugeSite(s.slot, None, None, None, None, None, None, None))
        for s in sites:
            _write_site(conn, s)
    return store.announce(Changes(rain_gauges=True, label=label,
                                  undo=lambda: put_sites(store, before, expect=sites, label=label)))


def villages_matching(store: Store, text: str, township: str | None = None) -> list[Village]:
    """For pickers that filter as the user types."""
    text = text.strip()
    return [v for v in store.bundled.villages
            if (not township or v.township == township) and (not text or text in v.name or v.code.startswith(text))]
