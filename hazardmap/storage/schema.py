"""Schema as forward migrations. MIGRATIONS[i] takes a database from version i to i + 1
(PRAGMA user_version). Never edit a released migration: add a new one."""
from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the key points and the history of location corrections
    """
    CREATE TABLE hazard_point (
        seq            INTEGER PRIMARY KEY,
        township       TEXT NOT NULL,
        village_group  TEXT NOT NULL,
        village_code   TEXT NOT NULL DEFAULT '',
        threatened     TEXT NOT NULL DEFAULT '',
        hazard_type    TEXT NOT NULL DEFAULT '',
        monitor        TEXT NOT NULL DEFAULT '',
        phone          TEXT NOT NULL DEFAULT '',
        lon            REAL,
        lat            REAL,
        precision      TEXT NOT NULL CHECK (precision IN ('surveyed','village','township','none')),
        source         TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE location_change (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq      INTEGER NOT NULL REFERENCES hazard_point(seq),
        old_lon        REAL,
        old_lat        REAL,
        old_precision  TEXT NOT NULL,
        old_source     TEXT NOT NULL,
        new_lon        REAL NOT NULL,
        new_lat        REAL NOT NULL,
        datum_entered  TEXT NOT NULL,
        entered_lon    REAL NOT NULL,
        entered_lat    REAL NOT NULL,
        source         TEXT NOT NULL,
        changed_by     TEXT NOT NULL,
        changed_at     TEXT NOT NULL
    );
    CREATE INDEX location_change_point ON location_change(point_seq, id);
    """,
    # 2: monitor history and the rain-gauge programme's site assignments
    """
    CREATE TABLE monitor_change (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq   INTEGER NOT NULL REFERENCES hazard_point(seq),
        old_name    TEXT NOT NULL,
        old_phone   TEXT NOT NULL,
        new_name    TEXT NOT NULL,
        new_phone   TEXT NOT NULL,
        changed_by  TEXT NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE INDEX monitor_change_point ON monitor_change(point_seq, id);
    CREATE TABLE rain_gauge_site (
        slot          INTEGER PRIMARY KEY CHECK (slot >= 1),
        village_code  TEXT UNIQUE,
        village       TEXT,
        township      TEXT,
        lon           REAL,
        lat           REAL,
        assigned_by   TEXT,
        assigned_at   TEXT
    );
    """,
    # 3: patrol logs (巡查记录) with their signs, measurements and photos; the audit trail of every
    # change; the 回收站 is deleted_at/deleted_by on the entry (nothing is ever removed); settings.
    """
    CREATE TABLE patrol_log (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq     INTEGER NOT NULL REFERENCES hazard_point(seq),
        patrolled_at  TEXT NOT NULL,            -- 'YYYY-MM-DD HH:MM' local time
        patroller     TEXT NOT NULL,
        weather       TEXT NOT NULL DEFAULT '',
        rain_mm       REAL CHECK (rain_mm IS NULL OR (rain_mm >= 0 AND rain_mm <= 1000)),
        judgement     TEXT NOT NULL CHECK (judgement IN ('正常','异常','危险')),
        action        TEXT NOT NULL DEFAULT '',
        note          TEXT NOT NULL DEFAULT '',
        recorded_by   TEXT NOT NULL,
        recorded_at   TEXT NOT NULL,
        deleted_at    TEXT,                     -- set while in the 回收站
        deleted_by    TEXT
    );
    -- Live entries per point, newest last; covering for the overview and the map colours.
    CREATE INDEX patrol_log_live ON patrol_log(point_seq, patrolled_at, id, judgement) WHERE deleted_at IS NULL;
    CREATE INDEX patrol_log_at ON patrol_log(patrolled_at);
    CREATE INDEX patrol_log_binned ON patrol_log(deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE TABLE patrol_sign (
        log_id    INTEGER NOT NULL REFERENCES patrol_log(id),
        position  INTEGER NOT NULL,
        sign      TEXT NOT NULL,
        location  TEXT NOT NULL DEFAULT '',     -- 部位
        feature   TEXT NOT NULL DEFAULT '',     -- 特征
        PRIMARY KEY (log_id, position),
        UNIQUE (log_id, sign)
    );
    CREATE TABLE patrol_measurement (
        log_id        INTEGER NOT NULL REFERENCES patrol_log(id),
        position      INTEGER NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('crack_gauge','stake','patch')),
        label         TEXT NOT NULL DEFAULT '',
        reading_mm    REAL CHECK (reading_mm IS NULL OR reading_mm >= 0),
        patch_intact  INTEGER CHECK (patch_intact IS NULL OR patch_intact IN (0, 1)),
        PRIMARY KEY (log_id, position),
        UNIQUE (log_id, kind, label)
    );
    CREATE TABLE patrol_photo (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        log_id         INTEGER NOT NULL REFERENCES patrol_log(id),
        path           TEXT NOT NULL,           -- relative to the data folder
        original_name  TEXT NOT NULL,
        added_by       TEXT NOT NULL,
        added_at       TEXT NOT NULL
    );
    CREATE INDEX patrol_photo_log ON patrol_photo(log_id);
    CREATE TABLE patrol_audit (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        log_id       INTEGER NOT NULL REFERENCES patrol_log(id),
        action       TEXT NOT NULL CHECK (action IN ('create','edit','delete','restore','import')),
        before_json  TEXT,
        after_json   TEXT,
        changed_by   TEXT NOT NULL,
        changed_at   TEXT NOT NULL
    );
    CREATE INDEX patrol_audit_log ON patrol_audit(log_id, id);
    CREATE TABLE setting (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        is_default  INTEGER NOT NULL DEFAULT 1, -- 1 = the shipped default, not yet set by the bureau
        note        TEXT NOT NULL DEFAULT '',
        changed_by  TEXT,
        changed_at  TEXT
    );
    """,
    # 4: a location change can undo an earlier one (kind 'undo'), which may restore "no position":
    # new_lon/new_lat become nullable and the new precision and source are recorded. SQLite cannot
    # drop NOT NULL in place, so the table is rebuilt with its rows and ids.
    """
    CREATE TABLE location_change_v4 (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq      INTEGER NOT NULL REFERENCES hazard_point(seq),
        kind           TEXT NOT NULL DEFAULT 'correction' CHECK (kind IN ('correction','undo')),
        old_lon        REAL,
        old_lat        REAL,
        old_precision  TEXT NOT NULL,
        old_source     TEXT NOT NULL,
        new_lon        REAL,
        new_lat        REAL,
        new_precision  TEXT NOT NULL,
        new_source     TEXT NOT NULL,
        datum_entered  TEXT,              -- NULL for an undo (nothing was typed)
        entered_lon    REAL,
        entered_lat    REAL,
        source         TEXT NOT NULL,
        changed_by     TEXT NOT NULL,
        changed_at     TEXT NOT NULL
    );
    INSERT INTO location_change_v4 (id, point_seq, kind, old_lon, old_lat, old_precision, old_source, new_lon,
        new_lat, new_precision, new_source, datum_entered, entered_lon, entered_lat, source, changed_by, changed_at)
    SELECT id, point_seq, 'correction', old_lon, old_lat, old_precision, old_source, new_lon, new_lat, 'surveyed',
        source, datum_entered, entered_lon, entered_lat, source, changed_by, changed_at FROM location_change;
    DROP TABLE location_change;
    ALTER TABLE location_change_v4 RENAME TO location_change;
    CREATE INDEX location_change_point ON location_change(point_seq, id);
    """,
    # 5: points are records of the county's register: codes, type, volume, place, what is threatened
    # as numbers (the county's wording stays in `threatened`), status with retirement (核销) details,
    # and a field-level audit trail of every add/edit/retire/restore. Existing rows are kept as they
    # are; the seed derives only what their own text states (storage/db.py, _seed_register).
    """
    ALTER TABLE hazard_point ADD COLUMN unified_code TEXT;           -- 统一编号, NULL when not given
    ALTER TABLE hazard_point ADD COLUMN field_code TEXT NOT NULL DEFAULT '';
    ALTER TABLE hazard_point ADD COLUMN name TEXT NOT NULL DEFAULT '';  -- '' = township + village_group
    ALTER TABLE hazard_point ADD COLUMN kind TEXT
        CHECK (kind IS NULL OR kind IN ('滑坡','崩塌','泥石流','地面塌陷','地裂缝','不稳定斜坡'));
    ALTER TABLE hazard_point ADD COLUMN volume_m3 REAL CHECK (volume_m3 IS NULL OR volume_m3 >= 0);
    ALTER TABLE hazard_point ADD COLUMN place TEXT NOT NULL DEFAULT '';  -- 组/地点 under the village
    ALTER TABLE hazard_point ADD COLUMN households INTEGER CHECK (households IS NULL OR households >= 0);
    ALTER TABLE hazard_point ADD COLUMN people INTEGER CHECK (people IS NULL OR people >= 0);
    ALTER TABLE hazard_point ADD COLUMN property_wan REAL CHECK (property_wan IS NULL OR property_wan >= 0);
    ALTER TABLE hazard_point ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active','retired'));
    ALTER TABLE hazard_point ADD COLUMN retired_on TEXT NOT NULL DEFAULT '';
    ALTER TABLE hazard_point ADD COLUMN retire_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE hazard_point ADD COLUMN retire_doc TEXT NOT NULL DEFAULT '';
    CREATE UNIQUE INDEX hazard_point_unified_code ON hazard_point(unified_code) WHERE unified_code IS NOT NULL;
    CREATE INDEX hazard_point_status ON hazard_point(status, seq);
    -- No foreign key on point_seq: the undo of an add removes the point, its audit rows stay.
    CREATE TABLE point_change (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq   INTEGER NOT NULL,
        action      TEXT NOT NULL CHECK (action IN ('add','edit','retire','restore','remove')),
        fields_json TEXT NOT NULL,       -- {"field": [old, new], ...}
        changed_by  TEXT NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE INDEX point_change_point ON point_change(point_seq, id);
    """,
    # 6: yearly key lists (年度重点隐患点名单): a list per year with its document number, and per point that
    # year's monitor, phone and threatened text and its 序号. Seeded with the 2023 list (storage/db.py).
    """
    CREATE TABLE key_list (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        year        INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 1949 AND 2200),
        name        TEXT NOT NULL,
        doc_no      TEXT NOT NULL DEFAULT '',
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE key_list_entry (
        list_id     INTEGER NOT NULL REFERENCES key_list(id),
        point_seq   INTEGER NOT NULL REFERENCES hazard_point(seq),
        row_no      INTEGER,                    -- 序号 in the county's table
        township    TEXT NOT NULL,              -- as the list wrote it
        place       TEXT NOT NULL,              -- 村组 / 地点 as the list wrote it
        threatened  TEXT NOT NULL DEFAULT '',
        monitor     TEXT NOT NULL DEFAULT '',
        phone       TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (list_id, point_seq)
    );
    CREATE INDEX key_list_entry_point ON key_list_entry(point_seq);
""",
    # 7: rain-gauge sites as records: the 2023 programme's slots become a named batch beside sites added
    # one by one (optional 站码, install year), and a site can be retired (撤除) and restored. SQLite
    # cannot drop the UNIQUE on village_code in place (a retired site's village may get a new gauge), so
    # the table is rebuilt with its rows and slots. And the 隐患点防灾预案表: one row per point, text typed
    # by staff (nothing seeded: what the bureau has not written starts empty).
    """
    CREATE TABLE rain_gauge_site_v5 (
        slot            INTEGER PRIMARY KEY CHECK (slot >= 1),
        batch           TEXT NOT NULL DEFAULT '',   -- '' = a site added on its own, outside any programme
        village_code    TEXT,
        village         TEXT,
        township        TEXT,
        lon             REAL,
        lat             REAL,
        assigned_by     TEXT,
        assigned_at     TEXT,
        station_code    TEXT UNIQUE,                -- 站码, when the site has one
        install_year    INTEGER CHECK (install_year IS NULL OR install_year BETWEEN 1949 AND 2100),
        retired_on      TEXT,                       -- 'YYYY-MM-DD' the gauge was removed; NULL while in use
        retired_reason  TEXT,
        retired_by      TEXT,
        retired_at      TEXT
    );
    INSERT INTO rain_gauge_site_v5 (slot, batch, village_code, village, township, lon, lat, assigned_by, assigned_at)
    SELECT slot, '2023年村部雨量计', village_code, village, township, lon, lat, assigned_by, assigned_at
    FROM rain_gauge_site;
    DROP TABLE rain_gauge_site;
    ALTER TABLE rain_gauge_site_v5 RENAME TO rain_gauge_site;
    -- One gauge in use per village; a retired site keeps its village.
    CREATE UNIQUE INDEX rain_gauge_site_village ON rain_gauge_site(village_code)
        WHERE village_code IS NOT NULL AND retired_on IS NULL;
    CREATE TABLE point_plan (
        point_seq            INTEGER PRIMARY KEY REFERENCES hazard_point(seq),
        past_events          TEXT NOT NULL DEFAULT '',
        geology              TEXT NOT NULL DEFAULT '',
        deformation          TEXT NOT NULL DEFAULT '',
        stability            TEXT NOT NULL DEFAULT '',
        triggers             TEXT NOT NULL DEFAULT '',
        potential_harm       TEXT NOT NULL DEFAULT '',
        forecast             TEXT NOT NULL DEFAULT '',
        monitoring_method    TEXT NOT NULL DEFAULT '',
        monitoring_cycle     TEXT NOT NULL DEFAULT '',
        responsible_county   TEXT NOT NULL DEFAULT '',
        responsible_township TEXT NOT NULL DEFAULT '',
        responsible_village  TEXT NOT NULL DEFAULT '',
        alarm_method         TEXT NOT NULL DEFAULT '',
        alarm_signal         TEXT NOT NULL DEFAULT '',
        alarm_by             TEXT NOT NULL DEFAULT '',
        refuge               TEXT NOT NULL DEFAULT '',
        evacuation_route     TEXT NOT NULL DEFAULT '',
        advice               TEXT NOT NULL DEFAULT '',
        changed_by           TEXT NOT NULL,
        changed_at           TEXT NOT NULL
    );
    -- Every save, undo and redo of a plan: what the fields were and became (JSON of the changed fields).
    CREATE TABLE point_plan_change (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq    INTEGER NOT NULL REFERENCES hazard_point(seq),
        before_json  TEXT NOT NULL,
        after_json   TEXT NOT NULL,
        changed_by   TEXT NOT NULL,
        changed_at   TEXT NOT NULL
    );
    CREATE INDEX point_plan_change_point ON point_plan_change(point_seq, id);
    """,
    # The year's programme (资金使用方案): the plan's lines and budgets (money in fen), spending against a
    # line, the 排危除险 works with the points they treat and their documents, the 三查 by township and
    # phase, and monitor replacements within a key-list year (for the subsidy's pro-rata split). No bank
    # account numbers anywhere. Seeded with the 2023 plan (storage/fund_repo.py, seed_2023).
    """
    CREATE TABLE fund_year (
        year               INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        title              TEXT NOT NULL,
        doc_no             TEXT NOT NULL DEFAULT '',
        issued_on          TEXT NOT NULL DEFAULT '',
        headline_fen       INTEGER CHECK (headline_fen IS NULL OR headline_fen >= 0),
        headline_text      TEXT NOT NULL DEFAULT '',
        township_rate_fen  INTEGER NOT NULL CHECK (township_rate_fen >= 0),
        monitor_rate_fen   INTEGER NOT NULL CHECK (monitor_rate_fen >= 0),
        closed_on          TEXT,
        closed_by          TEXT,
        created_by         TEXT NOT NULL,
        created_at         TEXT NOT NULL
    );
    CREATE TABLE fund_line (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        year        INTEGER NOT NULL REFERENCES fund_year(year),
        position    INTEGER NOT NULL,
        numeral     TEXT NOT NULL,
        part        TEXT NOT NULL DEFAULT '',
        title       TEXT NOT NULL,
        budget_fen  INTEGER NOT NULL CHECK (budget_fen >= 0),
        kind        TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'checks', 'subsidies', 'works')),
        UNIQUE (year, numeral, part)
    );
    CREATE TABLE fund_work (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        year         INTEGER NOT NULL REFERENCES fund_year(year),
        seq          INTEGER NOT NULL,
        site         TEXT NOT NULL,
        township     TEXT NOT NULL,
        budget_fen   INTEGER NOT NULL CHECK (budget_fen >= 0),
        status       TEXT NOT NULL DEFAULT '计划' CHECK (status IN ('计划','实施中','完工','验收')),
        started_on   TEXT NOT NULL DEFAULT '',
        finished_on  TEXT NOT NULL DEFAULT '',
        accepted_on  TEXT NOT NULL DEFAULT '',
        contractor   TEXT NOT NULL DEFAULT '',
        note         TEXT NOT NULL DEFAULT '',
        UNIQUE (year, seq)
    );
    CREATE TABLE fund_work_point (
        work_id    INTEGER NOT NULL REFERENCES fund_work(id),
        point_seq  INTEGER NOT NULL REFERENCES hazard_point(seq),
        PRIMARY KEY (work_id, point_seq)
    );
    CREATE INDEX fund_work_point_seq ON fund_work_point(point_seq);
    CREATE TABLE fund_work_doc (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        work_id        INTEGER NOT NULL REFERENCES fund_work(id),
        path           TEXT NOT NULL,           -- relative to the data folder
        original_name  TEXT NOT NULL,
        added_by       TEXT NOT NULL,
        added_at       TEXT NOT NULL
    );
    -- Every add, edit, status step, undo and redo of a work: the fields before and after (JSON).
    CREATE TABLE fund_work_change (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        work_id      INTEGER NOT NULL,
        before_json  TEXT,
        after_json   TEXT,
        changed_by   TEXT NOT NULL,
        changed_at   TEXT NOT NULL
    );
    CREATE TABLE fund_spending (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        line_id      INTEGER NOT NULL REFERENCES fund_line(id),
        spent_on     TEXT NOT NULL,
        amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
        payee        TEXT NOT NULL,
        voucher      TEXT NOT NULL DEFAULT '',
        note         TEXT NOT NULL DEFAULT '',
        over_reason  TEXT NOT NULL DEFAULT '',
        work_id      INTEGER REFERENCES fund_work(id),
        recorded_by  TEXT NOT NULL,
        recorded_at  TEXT NOT NULL
    );
    CREATE INDEX fund_spending_line ON fund_spending(line_id, spent_on);
    CREATE TABLE fund_check (
        year            INTEGER NOT NULL REFERENCES fund_year(year),
        township        TEXT NOT NULL,
        phase           TEXT NOT NULL CHECK (phase IN ('汛前排查','汛中巡查','汛后核查')),
        done_on         TEXT NOT NULL,
        done_by         TEXT NOT NULL,
        points_checked  INTEGER CHECK (points_checked IS NULL OR points_checked >= 0),
        problems        INTEGER CHECK (problems IS NULL OR problems >= 0),
        note            TEXT NOT NULL DEFAULT '',
        recorded_by     TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        PRIMARY KEY (year, township, phase)
    );
    CREATE TABLE fund_monitor_change (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        year          INTEGER NOT NULL,
        point_seq     INTEGER NOT NULL REFERENCES hazard_point(seq),
        effective_on  TEXT NOT NULL,
        monitor       TEXT NOT NULL,
        phone         TEXT NOT NULL DEFAULT '',
        note          TEXT NOT NULL DEFAULT '',
        recorded_by   TEXT NOT NULL,
        recorded_at   TEXT NOT NULL,
        UNIQUE (year, point_seq, effective_on)
    );
    """,
    # rainfall at the gauge sites: readings (mm in the interval ending at ts, Unix seconds; shown in
    # Beijing time), the threshold table per level and window (site 0 = the county's, others override),
    # every threshold change, the bureau's edits of which points a site covers, and the settings of
    # the rain features. The county table starts as 江华县's published values, labelled as another
    # county's (no Hengnan table is public); no effective-rainfall threshold is published, so none is set.
    """
    CREATE TABLE rain_import (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        source      TEXT NOT NULL,              -- file name, or 手工录入
        rows        INTEGER NOT NULL,
        imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    CREATE TABLE rain_reading (
        site_slot   INTEGER NOT NULL REFERENCES rain_gauge_site(slot),
        ts          INTEGER NOT NULL,           -- end of the interval, Unix seconds
        minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        mm          REAL NOT NULL CHECK (mm >= 0),
        import_id   INTEGER REFERENCES rain_import(id),
        PRIMARY KEY (site_slot, ts)
    ) WITHOUT ROWID;
    CREATE INDEX rain_reading_import ON rain_reading(import_id);
    CREATE TABLE rain_threshold (
        site_slot   INTEGER NOT NULL,           -- 0 = the county table; else the site it overrides
        level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
        win         TEXT NOT NULL CHECK (win IN ('1h','3h','6h','24h','eff')),
        mm          REAL NOT NULL CHECK (mm > 0),
        source      TEXT NOT NULL DEFAULT '',
        changed_by  TEXT,
        changed_at  TEXT,
        PRIMARY KEY (site_slot, level, win)
    );
    CREATE TABLE rain_threshold_change (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        site_slot   INTEGER NOT NULL,
        level       INTEGER NOT NULL,
        win         TEXT NOT NULL,
        old_mm      REAL,
        new_mm      REAL,
        changed_by  TEXT NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE TABLE rain_coverage_edit (
        site_slot   INTEGER NOT NULL REFERENCES rain_gauge_site(slot),
        point_seq   INTEGER NOT NULL REFERENCES hazard_point(seq),
        included    INTEGER NOT NULL CHECK (included IN (0, 1)),
        changed_by  TEXT NOT NULL,
        changed_at  TEXT NOT NULL,
        PRIMARY KEY (site_slot, point_seq)
    );
    INSERT INTO rain_threshold (site_slot, level, win, mm, source) VALUES
        (0, 1, '1h', 35, '江华县公布值（他县数值，非衡南县标准）'), (0, 1, '3h', 55, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 1, '6h', 70, '江华县公布值（他县数值，非衡南县标准）'), (0, 1, '24h', 100, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 2, '1h', 45, '江华县公布值（他县数值，非衡南县标准）'), (0, 2, '3h', 75, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 2, '6h', 95, '江华县公布值（他县数值，非衡南县标准）'), (0, 2, '24h', 130, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 3, '1h', 60, '江华县公布值（他县数值，非衡南县标准）'), (0, 3, '3h', 100, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 3, '6h', 120, '江华县公布值（他县数值，非衡南县标准）'), (0, 3, '24h', 160, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 4, '1h', 80, '江华县公布值（他县数值，非衡南县标准）'), (0, 4, '3h', 120, '江华县公布值（他县数值，非衡南县标准）'),
        (0, 4, '6h', 150, '江华县公布值（他县数值，非衡南县标准）'), (0, 4, '24h', 200, '江华县公布值（他县数值，非衡南县标准）');
    INSERT OR IGNORE INTO setting (key, value, is_default, note) VALUES
        ('rain_eff_k', '0.79', 1, '有效降雨量的衰减系数 k（文献中福建模型的取值）；出厂默认值，非本局规定'),
        ('rain_eff_days', '3', 1, '有效降雨量计入的前期天数（文献中福建模型的取值）；出厂默认值，非本局规定'),
        ('rain_cover_km', '5', 1, '雨量站覆盖半径（km），半径内或同一乡镇的隐患点由该站预警；出厂默认值，非本局规定'),
        ('rain_patrol_level', '2', 1, '达到此等级（1 蓝 2 黄 3 橙 4 红）及以上时，覆盖的隐患点列为应巡查；出厂默认值，非本局规定'),
        ('rain_after_hours', '24', 1, '回溯检验：预警结束后多少小时内的异常/危险报告仍算命中；出厂默认值，非本局规定'),
        ('rain_sms_template', '【衡南县自然资源局】{站点}雨量计{原因}，已达{等级}预警，请{监测员}立即对{隐患点}开展{巡查}，发现异常立即报告并组织避险。', 1, '预警短信模板；出厂默认值，请按本局要求修改');
    """,
    # A payment dated after its fund year (the 2023 plan was issued in April 2024, so its money is paid in
    # 2024) is kept only when the bureau confirmed it belongs to that year: the confirmation is recorded.
    """
    ALTER TABLE fund_spending ADD COLUMN cross_year INTEGER NOT NULL DEFAULT 0 CHECK (cross_year IN (0, 1));
    """,
    # Reference layers (the bureau's township boundaries, roads, rivers, zoning) imported from GIS files:
    # geometry as WKB in CGCS2000 lon/lat, one row per feature.
    """
    CREATE TABLE reference_layer (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL UNIQUE,
        kind        TEXT NOT NULL CHECK (kind IN ('line', 'polygon')),
        role        TEXT NOT NULL DEFAULT 'other' CHECK (role IN ('township', 'other')),
        source      TEXT NOT NULL DEFAULT '',
        visible     INTEGER NOT NULL DEFAULT 1,
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE reference_feature (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        layer_id    INTEGER NOT NULL REFERENCES reference_layer(id),
        label       TEXT NOT NULL DEFAULT '',
        wkb         BLOB NOT NULL,
        attrs_json  TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX reference_feature_layer ON reference_feature(layer_id, id);
    """,
    # 8: no lost update between desks: every editable record carries a version that grows with each
    # change to its row (the repositories add 1); an edit made from an older version is refused.
    """
    ALTER TABLE hazard_point ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE patrol_log ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE point_plan ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE rain_gauge_site ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    """,
    # 9: a province-sized register: the map asks for the points of a view inside a box
    # (storage/map_repo.py); these indexes answer it (and a township filter) without the table's rows.
    """
    CREATE INDEX hazard_point_place ON hazard_point(status, lat, lon, hazard_type);
    CREATE INDEX hazard_point_township ON hazard_point(status, township, lat, lon);
    """,
    # Each point's newest live patrol entry and its number of live entries, kept exact by the patrol
    # repository with every change to an entry (storage/patrol_repo.py): the overview and the map's
    # colours read one row per point instead of seeking 290,000 points' entries among 10 million.
    """
    CREATE TABLE patrol_latest (
        point_seq     INTEGER PRIMARY KEY REFERENCES hazard_point(seq),
        patrolled_at  TEXT NOT NULL,
        log_id        INTEGER NOT NULL REFERENCES patrol_log(id),
        judgement     TEXT NOT NULL,
        live_count    INTEGER NOT NULL
    );
    INSERT INTO patrol_latest (point_seq, patrolled_at, log_id, judgement, live_count)
    SELECT l.point_seq, l.patrolled_at, l.id, l.judgement, g.n
    FROM (SELECT point_seq, COUNT(*) AS n FROM patrol_log WHERE deleted_at IS NULL GROUP BY point_seq) g
    JOIN patrol_log l ON l.id = (SELECT x.id FROM patrol_log x WHERE x.point_seq = g.point_seq
                                 AND x.deleted_at IS NULL ORDER BY x.patrolled_at DESC, x.id DESC LIMIT 1);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
