"""Which points the window shows: a year's key list (default the newest), 全部在册, or 已核销.

One function decides membership (`points_in_view`); the table, the map page, the legend counts, the
巡查情况 overview, batch printing and the atlas all ask it, so every count they state is the count of
what they show. Qt-free: the CLI's --view takes the same words."""
from __future__ import annotations

from dataclasses import dataclass

from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.domain.key_lists import KeyList, View, ViewKind
from hazardmap.domain.map_query import Which
from hazardmap.domain.points import HazardPoint, PointStatus, PointView
from hazardmap.services import register
from hazardmap.services.store import Store

VIEW_LABELS = {ViewKind.REGISTERED: "全部在册", ViewKind.RETIRED: "已核销"}

_REGISTER_VIEW = {ViewKind.REGISTERED: PointView.ACTIVE, ViewKind.RETIRED: PointView.RETIRED}


@dataclass(frozen=True)
class ViewChoice:
    view: View
    label: str      # as the window's chooser shows it, with the count from the data
    count: int


def resolve(store: Store, view: View | None) -> View:
    """A concrete view: the newest list for View.newest() (or None), the newest list for a year that
    has no list; 全部在册 when there is no list at all."""
    view = view or View.newest()
    if view.kind is not ViewKind.KEY_LIST:
        return view
    with store.db.read() as s:
        if view.year is not None and store.db.key_lists.by_year(s, view.year) is not None:
            return view
        newest = store.db.key_lists.newest(s)
    return View(ViewKind.KEY_LIST, newest.year) if newest else View(ViewKind.REGISTERED)


def _list_of(store: Store, s, view: View) -> KeyList | None:
    return store.db.key_lists.by_year(s, view.year) if view.year is not None else store.db.key_lists.newest(s)


def points_in_view(store: Store, view: View | None) -> list[HazardPoint]:
    """The points the view shows: a key list's points still on the register (在册) in its 序号 order, or
    the register's 在册 or 已核销 points by seq."""
    view = resolve(store, view)
    if view.kind is not ViewKind.KEY_LIST:
        return register.points_in_view(store, _REGISTER_VIEW[view.kind])
    with store.db.read() as s:
        seqs = store.db.key_lists.seqs(s, _list_of(store, s, view).id)
    # The points themselves come from the register's seam: retired ones (核销) are hidden here as
    # everywhere by default, and shown under 已核销.
    by_seq = {p.seq: p for p in register.points_in_view(store, PointView.ACTIVE, seqs)}
    return [by_seq[seq] for seq in seqs if seq in by_seq]


def which(store: Store, view: View | None, township: str | None = None, hazard_type: str | None = None) -> Which:
    """The points of a view as the database selects them (the map of a province, the 巡查情况 table)."""
    view = resolve(store, view)
    if view.kind is ViewKind.RETIRED:
        return Which(PointStatus.RETIRED, None, township, hazard_type)
    if view.kind is ViewKind.REGISTERED:
        return Which(PointStatus.ACTIVE, None, township, hazard_type)
    with store.db.read() as s:
        kl = store.db.key_lists.by_year(s, view.year) if view.year is not None else store.db.key_lists.newest(s)
    return Which(PointStatus.ACTIVE, kl.id, township, hazard_type)


def seqs_in_view(store: Store, view: View | None) -> list[int]:
    return [p.seq for p in points_in_view(store, view)]


def view_title(store: Store, view: View | None) -> str:
    """The view's name as printouts and the window's title state it, e.g. “2023年度重点地质灾害隐患点”."""
    view = resolve(store, view)
    if view.kind is ViewKind.KEY_LIST:
        with store.db.read() as s:
            return _list_of(store, s, view).name
    return f"{VIEW_LABELS[view.kind]}隐患点"


def view_choices(store: Store) -> list[ViewChoice]:
    """Every view the chooser offers, newest list first, then 全部在册 and 已核销, counted from the data."""
    with store.db.read() as s:
        lists = list(reversed(store.db.key_lists.all(s)))
    counts = register.status_counts(store)
    out = []
    for kl in lists:
        with store.db.read() as s:   # counted by the database: the choices are built at every start
            n = store.db.map_points.count(s, Which(PointStatus.ACTIVE, kl.id), located=False)
        retired = f"，另 {kl.count - n} 处已核销" if kl.count > n else ""
        out.append(ViewChoice(View(ViewKind.KEY_LIST, kl.year), f"{kl.name}（{n} 处{retired}）", n))
    for kind, status in ((ViewKind.REGISTERED, PointStatus.ACTIVE), (ViewKind.RETIRED, PointStatus.RETIRED)):
        n = counts.get(status, 0)
        out.append(ViewChoice(View(kind), f"{VIEW_LABELS[kind]}（{n} 处）", n))
    return out


VIEW_HELP = "哪些隐患点：名单年度（如 2024；默认最新的年度名单）、在册（全部在册）或 已核销"


def parse_view(store: Store, text: str | None) -> View:
    """A view as typed on the command line; unlike View.parse, a year without a list or an unknown
    word is refused (a printout must not silently show other points than asked for)."""
    if text is None or not text.strip():
        return resolve(store, None)
    t = text.strip()
    view = View.parse(t)
    if view == View.newest() and t not in ("newest", "最新"):
        raise InvalidInput(f"“{t}”不是可选的范围：{VIEW_HELP}")
    if view.kind is ViewKind.KEY_LIST and view.year is not None:
        with store.db.read() as s:
            if store.db.key_lists.by_year(s, view.year) is None:
                years = "、".join(str(k.year) for k in store.db.key_lists.all(s)) or "无"
                raise NotFound(f"没有{view.year}年的重点隐患点名单（现有：{years}）", what="重点隐患点名单",
                               key=view.year)
    return resolve(store, view)
