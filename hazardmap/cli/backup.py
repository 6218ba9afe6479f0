"""hazardmap backup list|now|restore. These work on the data folder itself, never through the
normal opening of the database, so they still work when the database is damaged."""
from __future__ import annotations

import sys
from pathlib import Path

from hazardmap.cli.output import FORMATS, emit
from hazardmap.domain.errors import DatabaseDamaged
from hazardmap.services import backup as backup_service


def damage_remedy(exc: DatabaseDamaged) -> str:
    """What a person at a console does next (the window offers a button instead)."""
    if exc.newest_good_backup is None:
        return "没有可恢复的完好备份。如有其他备份文件，可用 hazardmap backup restore 文件路径 恢复"
    return (f"恢复最新的完好备份：hazardmap backup restore {exc.newest_good_backup.name}"
            "（损坏的文件会先另存，不会删除；用 hazardmap backup list 查看全部备份）")


def _usable(home: Path) -> None:
    from hazardmap.paths import check_not_a_file

    check_not_a_file(home)


def cmd_backup_list(args, home: Path) -> int:
    from hazardmap.services.store import db_path

    _usable(home)
    state = backup_service.database_state(db_path(home))
    if state:
        print(f"警告：当前数据库 {db_path(home)} 已损坏（{state}）", file=sys.stderr)
    backups = backup_service.list_backups(home)
    if not backups:
        print("还没有备份（打开桌面程序时会自动备份，也可用 hazardmap backup now）")
        return 0
    emit([{"name": b.name, "kind": b.kind, "created": b.created.strftime("%Y-%m-%d %H:%M:%S"),
           "size": b.size_label, "check": b.check, "ok": b.ok} for b in backups], args.format,
         {"name": "备份名", "kind": "类型", "created": "时间", "size": "大小", "check": "检查结果"})
    if state:
        good = backup_service.newest_good_backup(home)
        if good is not None:
            print(f"恢复最新的完好备份：hazardmap backup restore {good.name}", file=sys.stderr)
    return 0


def cmd_backup_now(args, home: Path) -> int:
    from hazardmap.services.store import open_store

    try:
        store = open_store(home)  # refuses a damaged database: its damage must not enter the backups
    except DatabaseDamaged:
        print("未备份：损坏的数据库不做备份，以免损坏进入备份", file=sys.stderr)
        raise
    try:
        path = backup_service.make_backup(store)
    finally:
        store.close()
    print(f"已备份到 {path.name}（检查完好）")
    return 0


def cmd_backup_restore(args, home: Path) -> int:
    _usable(home)
    done = backup_service.restore(home, args.name)
    print(f"已从备份 {done.source.name} 恢复")
    if done.kept is not None:
        what = "损坏的数据库" if done.was_damaged else "恢复前的数据"
        print(f"{what}已另存为 {done.kept.name}（在备份文件夹 {done.kept.parent}）")
    return 0


def register(sub) -> None:
    bk = sub.add_parser("backup", help="数据库备份（数据库损坏时也可用）")
    bs = bk.add_subparsers(dest="backup_command", required=True)
    bl = bs.add_parser("list", help="列出备份（新的在前）及每个备份的检查结果")
    bl.add_argument("--format", choices=FORMATS, default="table")
    bl.set_defaults(home_handler=cmd_backup_list)
    bn = bs.add_parser("now", help="立即备份（检查完好后才算数）")
    bn.set_defaults(home_handler=cmd_backup_now)
    br = bs.add_parser("restore", help="从备份恢复（先另存当前数据）")
    br.add_argument("name", help="hazardmap backup list 列出的备份名，或一个备份文件的路径")
    br.set_defaults(home_handler=cmd_backup_restore)
