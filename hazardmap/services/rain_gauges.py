"""Use cases on rain-gauge sites: the 2023 programme's slots (a named batch, each assigned to a gazetteer
village by staff) and sites added one by one since (village, optional 站码, install year); any site
with a gauge can be retired (撤除: date, reason) and restored.

Every change reads the sites inside its write transaction and returns Changes carrying its undo."""
from __future__ import annotations

import dataclasses
import re

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import (Ambiguous, InvalidInput, NotFound, SiteNotRetired, SiteRetired, SiteUnassigned,
                                     SlotNotFound, StaleEdit, StationCodeTaken, VillageTaken)
from hazardmap.domain.rain_gauges import (PROGRAMME_2023, RainGaugeSite, check_install_year, check_retire,
                                          check_station_code)
from hazardmap.geodata.bundled import Village
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session

_CODE = re.compile(r"^\d{12}$")


def list_sites(store: Store) -> list[RainGaugeSite]:
    with store.db.read() as s:
        return store.db.rain_gauges.all(s)


def active_sites(store: Store) -> list[RainGaugeSite]:
    """The gauges in use: what the map and the printed maps show."""
    return [s for s in list_sites(store) if s.active]


def assigned_count(store: Store, batch: str = PROGRAMME_2023) -> tuple[int, int]:
    """A batch's counter (已落实 N/M): its slots with a village, and all its slots."""
    with store.db.read() as s:
        return store.db.rain_gauges.counts(s, batch)


def get_slot(store: Store, s: Session, slot: int) -> RainGaugeSite:
    site = store.db.rain_gauges.get(s, slot)
    if site is None:
        raise SlotNotFound(slot, store.db.rain_gauges.counts(s)[1])
    return site


_slot = get_slot


def emptied(site: RainGaugeSite) -> RainGaugeSite:
    """The same slot with no village (its batch and other facts kept)."""
    return dataclasses.replace(site, village_code=None, village=None, township=None, lon=None, lat=None,
                               assigned_by=None, assigned_at=None)


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


def assign(store: Store, slot: int, village: str, *, township: str | None = None,
           by: str | None = None) -> Changes:
    v = find_village(store, village, township)
    repo = store.db.rain_gauges
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        if site.retired:
            raise SiteRetired(slot, "更换村庄")
        other = repo.slot_of_village(tx, v.code)
        if other is not None and other != slot:
            raise VillageTaken(f"{v.township}{v.name}", other)
        if site.village_code == v.code:
            return Changes()
        new = dataclasses.replace(site, village_code=v.code, village=v.name, township=v.township, lon=v.lon,
                                  lat=v.lat, assigned_by=by or current_user(), assigned_at=now_iso())
        repo.put(tx, [new])
    label = f"第 {slot} 号雨量计站点设为{v.township}{v.name}"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: put_sites(store, [site], expect=[new], label=label))


def clear(store: Store, slot: int) -> Changes:
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        if site.retired:
            raise SiteRetired(slot, "清空")
        if not site.batch:
            raise InvalidInput(f"第 {slot} 号雨量计站点是单独新增的站点，不能清空；如雨量计已拆除，请撤除该站点")
        if not site.assigned:
            return Changes()
        store.db.rain_gauges.put(tx, [emptied(site)])
    label = f"清空第 {slot} 号雨量计站点"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: put_sites(store, [site], expect=[emptied(site)], label=label))


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


def add_site(store: Store, village: str, *, township: str | None = None, station_code: str | None = None,
             install_year: int | str | None = None, by: str | None = None) -> tuple[int, Changes]:
    """A site outside the 2023 programme: (its number, the Changes). The number follows the highest
    one there is; one gauge in use per village, one site per 站码."""
    code = check_station_code(station_code)
    year = check_install_year(install_year)
    v = find_village(store, village, township)
    repo = store.db.rain_gauges
    with store.db.write() as tx:
        other = repo.slot_of_village(tx, v.code)
        if other is not None:
            raise VillageTaken(f"{v.township}{v.name}", other)
        if code is not None and (holder := repo.slot_of_station(tx, code)) is not None:
            raise StationCodeTaken(code, holder)
        site = RainGaugeSite(repo.next_slot(tx), v.code, v.name, v.township, v.lon, v.lat, by or current_user(),
                             now_iso(), batch="", station_code=code, install_year=year)
        repo.insert(tx, site)
    label = f"新增第 {site.slot} 号雨量计站点（{v.township}{v.name}）"
    return site.slot, Changes(rain_gauges=True, label=label, undo=lambda: _remove_added(store, site, label))


def _remove_added(store: Store, site: RainGaugeSite, label: str) -> Changes:
    """Undo of add_site: the site goes, if nobody changed it meanwhile; redo puts it back as it was."""
    with store.db.write() as tx:
        if store.db.rain_gauges.get(tx, site.slot) != site:
            raise StaleEdit(f"第 {site.slot} 号雨量计站点")
        store.db.rain_gauges.delete(tx, site.slot)
    return Changes(rain_gauges=True, label=label, undo=lambda: _reinsert(store, site, label))


def _reinsert(store: Store, site: RainGaugeSite, label: str) -> Changes:
    repo = store.db.rain_gauges
    with store.db.write() as tx:
        if repo.get(tx, site.slot) is not None:
            raise StaleEdit(f"第 {site.slot} 号雨量计站点")
        other = repo.slot_of_village(tx, site.village_code)
        if other is not None:
            raise VillageTaken(f"{site.township}{site.village}", other)
        if site.station_code and (holder := repo.slot_of_station(tx, site.station_code)) is not None:
            raise StationCodeTaken(site.station_code, holder)
        repo.insert(tx, site)
    return Changes(rain_gauges=True, label=label, undo=lambda: _remove_added(store, site, label))


def retire(store: Store, slot: int, *, reason: str, on: str | None = None, by: str | None = None) -> Changes:
    """撤除: the gauge was removed on `on` (default today) for `reason`; the site is kept, off the map."""
    on, reason = check_retire(on, reason)
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        if site.retired:
            raise SiteRetired(slot, "再次撤除")
        if not site.assigned:
            raise SiteUnassigned(slot)
        after = dataclasses.replace(site, retired_on=on, retired_reason=reason, retired_by=by or current_user(),
                                    retired_at=now_iso())
        store.db.rain_gauges.set_retired(tx, slot, after.retired_on, after.retired_reason, after.retired_by,
                                         after.retired_at)
    label = f"撤除第 {slot} 号雨量计站点"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: _set_retirement(store, site, expect=after, label=label))


def restore(store: Store, slot: int) -> Changes:
    """Back in use: refused if its village has another gauge in use by now."""
    with store.db.write() as tx:
        site = _slot(store, tx, slot)
        if not site.retired:
            raise SiteNotRetired(slot)
        after = dataclasses.replace(site, retired_on=None, retired_reason=None, retired_by=None, retired_at=None)
        _write_retirement(store, tx, after)
    label = f"恢复第 {slot} 号雨量计站点"
    return Changes(rain_gauges=True, label=label,
                   undo=lambda: _set_retirement(store, site, expect=after, label=label))


def _write_retirement(store: Store, tx: Session, site: RainGaugeSite) -> None:
    repo = store.db.rain_gauges
    if not site.retired:
        other = repo.slot_of_village(tx, site.village_code)
        if other is not None and other != site.slot:
            raise VillageTaken(f"{site.township}{site.village}", other)
    repo.set_retired(tx, site.slot, site.retired_on, site.retired_reason, site.retired_by, site.retired_at)


def _set_retirement(store: Store, to: RainGaugeSite, *, expect: RainGaugeSite, label: str) -> Changes:
    """Undo/redo of retire and restore: exactly `to`'s retirement, if the site is still as `expect`."""
    with store.db.write() as tx:
        if _slot(store, tx, to.slot) != expect:
            raise StaleEdit(f"第 {to.slot} 号雨量计站点")
        _write_retirement(store, tx, to)
    return Changes(rain_gauges=True, label=label, undo=lambda: _set_retirement(store, expect, expect=to, label=label))


def villages_matching(store: Store, text: str, township: str | None = None) -> list[Village]:
    """For pickers that filter as the user types."""
    text = text.strip()
    return [v for v in store.bundled.villages
            if (not township or v.township == township) and (not text or text in v.name or v.code.startswith(text))]
