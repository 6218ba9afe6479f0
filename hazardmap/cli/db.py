"""`hazardmap db copy`: a desk's data to the bureau's server, or the server's data into a file."""
from __future__ import annotations

from pathlib import Path

from hazardmap.services import db_copy
from hazardmap.services.store import db_path


def cmd_db_copy(args, home: Path) -> int:
    source = args.source or str(db_path(home))
    result = db_copy.copy_database(source, args.target, force=args.force, password=_password(args, source))
    for t in result.tables:
        print(f"  {t.table}: {t.rows} 行，校验 {t.checksum[:12]}")
    print(f"已复制 {result.source} → {result.target}：{len(result.tables)} 张表共 {result.rows} 行，"
          "行数与校验和逐表核对一致")
    return 0


def cmd_db_roles(args, home: Path) -> int:
    from hazardmap.services.credentials import saved_password

    roles = db_copy.setup_roles(args.server, password=saved_password(args.server))
    print(f"已在服务器上建立（或更新）角色：{'、'.join(roles)}。"
          "请为每位工作人员的登录账号授予其一，例如：GRANT hazardmap_editor TO 张三;")
    return 0


def _password(args, source: str) -> str | None:
    """From the OS keyring when one was saved for that server (never from a file); else libpq's own
    ways (PGPASSWORD, .pgpass) or none."""
    url = args.target if db_copy.is_url(args.target) else source
    from hazardmap.services.credentials import saved_password

    return saved_password(url)


def register(sub) -> None:
    db = sub.add_parser("db", help="数据库：在本机文件与单位服务器（PostgreSQL）之间复制数据")
    ds = db.add_subparsers(dest="db_command", required=True)
    c = ds.add_parser("copy", help="复制全部数据（逐表核对行数与校验和）；目标已有数据时须加 --force")
    c.add_argument("--from", dest="source", metavar="来源",
                   help="postgresql://用户@服务器/库名 或数据库文件（默认：本机的数据）")
    c.add_argument("--to", dest="target", required=True, metavar="目标", help="postgresql://用户@服务器/库名 或文件路径")
    c.add_argument("--force", action="store_true", help="目标已有数据时仍然覆盖（先清空目标）")
    c.set_defaults(home_handler=cmd_db_copy)
    r = ds.add_parser("roles", help="在服务器上建立编辑（hazardmap_editor）与只读（hazardmap_viewer）两个角色（须由数据库所有者运行）")
    r.add_argument("--server", required=True, metavar="地址", help="postgresql://所有者@服务器/库名")
    r.set_defaults(home_handler=cmd_db_roles)
