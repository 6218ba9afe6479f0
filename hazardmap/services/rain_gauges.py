"""Use cases on the rain-gauge programme: 15 slots, each assigned to a gazetteer village.

Every change reads the slots inside its write transaction and returns Changes carrying its undo."""
from __future__ import annotations

import re

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import Ambiguous, NotFound, SlotNotFound, StaleEdit, VillageTaken
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.geodata.bundled import Village
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session

_CODE = re.compile(r"^\d{12}$")


def list_sites(store: Store) -> list[RainGaugeSite]:
    with store.db.read() as s:
        return store.db.rain_gauges.all(s)


def assigned_count(store: Store) -> tuple[int, int]:
    with store.db.read() as s:
        return store.db.rain_gauges.counts(s)


def _slot(store: Store, s: Session, slot: int) -> RainGaugeSite:
    site = store.db.rain_gauges.get(s, slot)
    if site is None:
        raise SlotNotFound(slot, store.db.rain_gauges.counts(s)[1])
    return site


def find_village(store: Store, name_or_code: str, township: str | None = None) -> Village:
    """Resolve a village by 12-digit code or by name (optionally within a township)."""
    text = name_or_code.strip()
    if township and store.bundled.township(township) is None:
        raise NotFound(f"衡南县没有名为“{township}”的乡镇（街道）", what="乡镇", key=township)
    if _CODE.match(text):
        village = store.bundled.village_by_code(text)
        if village is None:
            raise NotFound(f"村庄名录中没有代码为 {text} 的村（社区）", what="村", key=text)
        return village
    matches = store.bundled.villages_named(text, township)
    if not matches:
        where = f"{township}" if township else "衡南县"
        raise NotFound(f"{where}的村庄名录中没有“{text}”", what="村", key=text)
    if len(matches) > 1:
        listing = "；".join(f"{v.township} {v.name}（{v.code}）" for v in matches)
        raise Ambiguous(f"有 {len(matches)} 个“{text}”：{listing}", matches, text=text)
    return matches[0]


def _empty(slot: int) -> RainGaugeSite:
    return RainGaugeSite(slot, None, None, None, None, None, None, None)


def assign(store: Store, slot: int, village: str, *, township: str | None = None,
           by: str | None = None) -> Changes:
    v = find_village(store, village, township)
    repo = store.db.rain_gauges
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        other = repo.slot_of_village(tx, v.code)
        if other is not None and other != slot:
            raise VillageTaken(f"{v.township}{v.name}", other)
        if site.village_code == v.code:
            return Changes()
        new = RainGaugeSite(slot, v.code, v.name, v.township, v.lon, v.lat, by or current_user(), now_iso())
        repo.put(tx, [new])
    label = f"第 {slot} 号雨量计站点设为{v.township}{v.name}"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: put_sites(store, [site], expect=[new], label=label))


def clear(store: Store, slot: int) -> Changes:
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        if not site.assigned:
            return Changes()
        store.db.rain_gauges.put(tx, [_empty(slot)])
    label = f"清空第 {slot} 号雨量计站点"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: put_sites(store, [site], expect=[_empty(slot)], label=label))


def put_sites(store: Store, sites: list[RainGaugeSite], *, expect: list[RainGaugeSite], label: str) -> Changes:
    """Set several slots back to exactly the given states in one transaction (undo and redo of an
    assignment or an import). Refused if any slot changed since `expect` (another window or PC)."""
    repo = store.db.rain_gauges
    with store.db.write() as tx:
        before = [_slot(store, tx, s.slot) for s in sites]
        if before != list(expect):
            raise StaleEdit("雨量计站点")
        slots = {s.slot for s in sites}
        for s in sites:  # one village, one slot
            other = repo.slot_of_village(tx, s.village_code) if s.village_code else None
            if other is not None and other not in slots:
                raise VillageTaken(f"{s.township}{s.village}", other)
        repo.put(tx, sites)
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: put_sites(store, before, expect=sites, label=label))


def villages_matching(store: Store, text: str, township: str | None = None) -> list[Village]:
    """For pickers that filter as the user types."""
    text = text.strip()
    return [v for v in store.bundled.villages
            if (not township or v.township == township) and (not text or text in v.name or v.code.startswith(text))]
