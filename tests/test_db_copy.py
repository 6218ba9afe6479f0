"""`hazardmap db copy`: a desk's data to a blank server and the server's data into a file, every table
checked (rows and checksums); a target holding data is refused without --force."""
from __future__ import annotations

import sqlite3

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft
from hazardmap.services import patrol, plan, points, register
from hazardmap.services.store import db_path, open_server_store, open_store


def _desk_with_work(home):
    store = open_store(home)
    register.add_point(store, {"township": "茅市镇", "place": "测试组", "given_name": "测试新点"}, by="甲")
    points.set_monitor(store, 2, phone="13900000003", by="甲")
    ms = (Measurement(MeasureKind.CRACK_GAUGE, "1号", 12.5),)
    for day in ("01", "02", "03"):
        patrol.record(store, PatrolDraft(3, f"2026-05-{day} 08:00", "甲", "正常", measurements=ms, note=f"第{day}天"))
    patrol.delete(store, patrol.list_entries(store)[0].id, by="甲")
    plan.save_plan(store, 4, {"refuge": "测试避灾点"}, by="甲")
    return store


def _snapshot(store):
    return (points.list_points(store), [p.version for p in points.list_points(store)], patrol.list_entries(store),
            patrol.audit_trail(store), plan.all_plans(store), register.point_changes(store, 2),
            points.monitor_history(store, 2))


def test_desk_to_blank_server_and_back_to_a_file(cli, home, empty_pg_url, tmp_path):
    desk = _desk_with_work(home)
    before = _snapshot(desk)
    desk.close()
    code, out, err = cli("db", "copy", "--to", empty_pg_url)
    assert code == 0, err
    assert "行数与校验和逐表核对一致" in out and "patrol_log: 3 行" in out and "hazard_point: 17 行" in out
    server = open_server_store(empty_pg_url, home)
    try:
        assert _snapshot(server) == before
        # ids go on after the copied ones
        new = patrol.record(server, PatrolDraft(3, "2026-05-09 08:00", "乙", "正常")).entry_ids[0]
        assert new == 4
    finally:
        server.close()

    offline = tmp_path / "offline.sqlite3"
    code, out, err = cli("db", "copy", "--from", empty_pg_url, "--to", str(offline))
    assert code == 0, err
    con = sqlite3.connect(offline)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM patrol_log").fetchone()[0] == 4
        assert con.execute("SELECT name FROM hazard_point WHERE seq = 17").fetchone()[0] == "测试新点"
    finally:
        con.close()
    assert not [p for p in offline.parent.iterdir() if p.name.startswith(".")]  # no scratch left


def test_a_target_with_data_is_refused_without_force(cli, home, empty_pg_url, tmp_path):
    _desk_with_work(home).close()
    assert cli("db", "copy", "--to", empty_pg_url)[0] == 0
    code, out, err = cli("db", "copy", "--to", empty_pg_url)
    assert code == 2 and "已有数据（17 个隐患点）" in err and "--force" in err
    # the refused copy changed nothing; with --force the server holds exactly the desk's data again
    desk = open_store(home)
    register.edit_point(desk, 5, {"field_code": "第二次"}, by="甲")
    desk.close()
    code, out, err = cli("db", "copy", "--to", empty_pg_url, "--force")
    assert code == 0, err
    server = open_server_store(empty_pg_url, home)
    try:
        assert points.get_point(server, 5).field_code == "第二次"
    finally:
        server.close()
    existing = tmp_path / "there.sqlite3"
    existing.write_bytes(b"keep")
    code, out, err = cli("db", "copy", "--from", empty_pg_url, "--to", str(existing))
    assert code == 2 and "--force" in err and existing.read_bytes() == b"keep"
    assert db_path(home).exists()


def test_copy_between_two_files_or_two_servers_is_refused(cli, home, empty_pg_url, tmp_path):
    code, _, err = cli("db", "copy", "--to", str(tmp_path / "x.sqlite3"))
    assert code == 2 and "postgresql://" in err


def test_a_copy_that_reads_back_differently_commits_nothing(cli, home, pg_server, empty_pg_url):
    """A target that alters rows as they arrive (here a trigger) fails the check: nothing is kept."""
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.storage.pg.db import PgDatabase

    PgDatabase.open(empty_pg_url, BundledData()).close()
    dbname = empty_pg_url.split("/")[3].split("?")[0]
    pg_server.sql("CREATE FUNCTION spoil() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                  " NEW.monitor := NEW.monitor || '?'; RETURN NEW; END $$;"
                  " CREATE TRIGGER spoil BEFORE INSERT ON hazard_point FOR EACH ROW EXECUTE FUNCTION spoil()", dbname)
    _desk_with_work(home).close()
    code, out, err = cli("db", "copy", "--to", empty_pg_url, "--force")
    assert code == 2 and "核对不一致（表 hazard_point" in err and "没有任何改动" in err
    server = open_server_store(empty_pg_url, home)
    try:
        assert len(points.list_points(server)) == 16  # the server's own rows, untouched
        assert not any(p.monitor.endswith("?") for p in points.list_points(server))
    finally:
        server.close()


def test_db_roles_creates_the_editor_and_viewer_roles(cli, pg_server, empty_pg_url):
    code, out, err = cli("db", "roles", "--server", empty_pg_url)
    assert code == 0, err
    assert "hazardmap_editor" in out and "GRANT" in out
    import psycopg

    with psycopg.connect(pg_server.url()) as conn:
        names = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'hazardmap_%'")}
    assert names == {"hazardmap_editor", "hazardmap_viewer"}
