-- SPDX-License-Identifier: MIT
--
-- The institution tree: who can be the target of an application, who holds
-- one, and how routing and coordination reach down (rules.md R1, R4).
-- A provincial directorate hangs under its ministry and carries the province
-- it serves (IL-MEB-06: parent MEB, province 06); a governorship VALILIK-NN
-- hangs under ICISLERI with province NN; a district governorship under its
-- governorship. A governorship's reach within its province follows
-- province_code, a ministry's reach follows parent_code.
-- Bodies outside the system (rules.md W4: courts, TBMM, Kamu Denetçiliği
-- Kurumu, YSK, HSK, Sayıştay) are kind 'external' with in_scope = 0: they are
-- listed so that a choice of them can be refused by name, never routed to.
-- Institutions are deactivated, not deleted: history points at them.

CREATE TABLE institutions (
    code VARCHAR(64) COLLATE utf8mb4_bin NOT NULL
        COMMENT 'stable code, upper-case ASCII words joined by dashes',
    name VARCHAR(255) COLLATE utf8mb4_turkish_ci NOT NULL,
    kind ENUM('centre', 'ministry', 'general_directorate', 'department', 'governorship',
              'district_governorship', 'provincial_directorate', 'regional_directorate',
              'ethics_board', 'bedk', 'external') NOT NULL,
    parent_code VARCHAR(64) COLLATE utf8mb4_bin NULL,
    province_code CHAR(2) COLLATE utf8mb4_bin NULL,
    in_scope BOOL NOT NULL DEFAULT 1 COMMENT '0: outside the system (rules.md W4)',
    active BOOL NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (code),
    KEY ix_institutions_parent (parent_code),
    KEY ix_institutions_province_kind (province_code, kind),
    KEY ix_institutions_kind (kind),
    CONSTRAINT fk_institutions_parent FOREIGN KEY (parent_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_institutions_province FOREIGN KEY (province_code)
        REFERENCES provinces (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_institutions_code CHECK (code REGEXP '^[A-Z0-9]+(-[A-Z0-9]+)*$'),
    CONSTRAINT ck_institutions_name CHECK (CHAR_LENGTH(TRIM(name)) > 0),
    CONSTRAINT ck_institutions_not_own_parent CHECK (parent_code IS NULL OR parent_code <> code),
    CONSTRAINT ck_institutions_in_scope CHECK (in_scope IN (0, 1)),
    CONSTRAINT ck_institutions_active CHECK (active IN (0, 1)),
    CONSTRAINT ck_institutions_external CHECK (kind <> 'external' OR in_scope = 0),
    CONSTRAINT ck_institutions_centre_root CHECK (kind <> 'centre' OR parent_code IS NULL),
    CONSTRAINT ck_institutions_provincial CHECK (
        kind NOT IN ('governorship', 'district_governorship', 'provincial_directorate')
        OR province_code IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='institution tree: centre, ministries, governorships and their units';
