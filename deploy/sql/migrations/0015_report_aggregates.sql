-- SPDX-License-Identifier: MIT
--
-- The worker's aggregate of the current month's reports (issue 6 item 3).
-- A report's figures are additive by where each application belongs (its
-- holding institution and its province), so a month is kept as its parts:
-- one accumulator per (holder, province) of the month, as JSON
-- (common/bm_report_parts.c). Every BIMER_REPORT_REFRESH_S the worker
-- rebuilds the current month's parts with one pass per section over the
-- covering indexes of 0014 and stores them here; a report of the month is
-- then a sum of a few thousand parts instead of a pass over every application.
-- The API uses a row while valid_until has not passed (three refresh periods,
-- so a stopped worker's aggregate soon stops being answered) and says when it
-- was computed (generated_at); a finished month's stored report
-- (monthly_reports) always comes first. Rows are replaced, never merged: this
-- is a cache of the record, not a record.

CREATE TABLE report_aggregates (
    month CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    computed_at DATETIME(3) NOT NULL COMMENT 'the moment the parts were read',
    valid_until DATETIME(3) NOT NULL COMMENT 'not used after this',
    parts MEDIUMTEXT COLLATE utf8mb4_bin NOT NULL
        COMMENT '[{"h": holder, "p": province, "a": accumulator}]',
    PRIMARY KEY (month),
    CONSTRAINT ck_report_aggregates_month CHECK (month REGEXP '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT ck_report_aggregates_valid CHECK (valid_until > computed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the current month''s report parts, refreshed by the worker';
