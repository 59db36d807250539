-- SPDX-License-Identifier: MIT
--
-- Monthly reports (issue 6; rules.md M1). The definitions of every figure
-- are in common/bm_report.h and the API spec.
--
-- Indexes: each section of a month's report is one range scan of one
-- covering index, read row by row and aggregated in C (common/
-- bm_report_parts.c), with no trigger and no extra write on the intake path
-- beyond the index entries themselves:
--   received_at … the applications received in the month, by type,
--                 category, channel, status and topic;
--   answered_at … the answers of the month, their outcome, reason and the
--                 times their response time and lateness come from;
--   due_at …      the applications whose due time fell in the month, and
--                 whether they were still open then (closed_at);
-- each ending with province_code and assigned_institution_code, the two
-- columns a scope filters on. The first replaces the narrower
-- ix_applications_reports (received_at, province_code). Appeals are found
-- by the day they were filed and decided.
--
-- monthly_reports: the stored reports, one per month and scope
-- ('all', 'province:NN', 'institution:CODE'). report is the JSON document as
-- the API answers it (stored: true), generated_at when it was made. The
-- unique key makes storing safe with several workers: the first report
-- stays. A stored report never changes (the trigger refuses UPDATE); an
-- administrator who must have one rebuilt deletes it and runs
-- `bimer-worker --monthly-reports YYYY-MM` again.
--
-- monthly_report_runs: one row per month whose reports the worker built.
-- A worker claims the month (INSERT, or taking over a claim whose
-- claimed_until has passed), builds what is missing, then marks it finished
-- and queues the coordinators' mails in one transaction guarded by
-- finished_at IS NULL, so the mails go out once.

ALTER TABLE applications
    DROP KEY ix_applications_reports,
    ADD KEY ix_applications_report_received (received_at, type, category, channel, status,
        topic, province_code, assigned_institution_code),
    ADD KEY ix_applications_report_answered (answered_at, status, outcome, reason_code,
        received_at, due_at, province_code, assigned_institution_code),
    ADD KEY ix_applications_report_due (due_at, closed_at, province_code,
        assigned_institution_code);

ALTER TABLE appeals
    ADD KEY ix_appeals_filed (filed_at),
    ADD KEY ix_appeals_decided (decided_at, decision);

CREATE TABLE monthly_reports (
    id BIGINT NOT NULL AUTO_INCREMENT,
    month CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
        COMMENT 'YYYY-MM, an Istanbul calendar month',
    scope VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
        COMMENT 'all, province:NN or institution:CODE',
    generated_at DATETIME(3) NOT NULL,
    report MEDIUMTEXT COLLATE utf8mb4_bin NOT NULL COMMENT 'the JSON document',
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_monthly_reports (month, scope),
    CONSTRAINT ck_monthly_reports_month CHECK (month REGEXP '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT ck_monthly_reports_scope CHECK (
        scope REGEXP '^(all|province:[0-9]{2}|institution:[A-Z0-9]+(-[A-Z0-9]+)*)$'),
    CONSTRAINT ck_monthly_reports_report CHECK (JSON_VALID(report))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='stored monthly reports (rules.md M1), one per month and scope';

CREATE TABLE monthly_report_runs (
    month CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    claimed_by VARCHAR(120) NOT NULL COMMENT 'host and pid of the worker building it',
    claimed_until DATETIME(3) NOT NULL COMMENT 'another worker may take over after this',
    started_at DATETIME(3) NOT NULL,
    finished_at DATETIME(3) NULL,
    reports INT NOT NULL DEFAULT 0 COMMENT 'reports stored by the finishing run',
    mails INT NOT NULL DEFAULT 0 COMMENT 'coordinators mailed',
    PRIMARY KEY (month),
    CONSTRAINT ck_monthly_report_runs_month CHECK (month REGEXP '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT ck_monthly_report_runs_counts CHECK (reports >= 0 AND mails >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the worker''s monthly report runs';

CREATE TRIGGER tr_monthly_reports_no_update BEFORE UPDATE ON monthly_reports
FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'monthly_reports never change: delete one to have it rebuilt';
