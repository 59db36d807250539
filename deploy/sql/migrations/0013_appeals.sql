-- SPDX-License-Identifier: MIT
--
-- Appeals to the Bilgi Edinme Değerlendirme Kurulu (issue 5; rules.md A1-A4).
--
-- appeals: one row per appeal. appeal_no is the appeal_id of the API
-- ("2026-000123": the Istanbul year of filing and a running number from
-- appeal_no_seq). refused_at is the moment of the refusal appealed: the
-- answer's answered_at, or the end of the D4 period for a deemed rejection.
-- UNIQUE (application_id, refused_at) allows one appeal per refusal, and the
-- generated open_application_id (the application while the appeal is open,
-- else NULL) one open appeal per application; both hold under concurrent
-- filings, whatever the service checked before. An application that BEDK
-- sent back and the institution refused again can be appealed again: that is
-- a new refusal. channel never holds e-mail or fax: such appeals are not
-- processed (A3, BEDK_EMAIL_FAX). due_at is BEDK's 30 business days (A4);
-- application_due_at the institution's new deadline after an accepted or
-- partially accepted appeal. The Idempotency-Key is stored as for
-- applications; request_hash is an HMAC (the body holds an ID number).
--
-- appeal_copies: the copies an appeal carries (A3). source 'generated' is the
-- system's own copy of the application or of the institution's answer, made
-- from its record when the appeal is filed: document is the JSON text byte for
-- byte, sha256 its SHA-256, so a copy can be checked against its hash at any
-- time. source 'attachment' is a copy that came on paper and was scanned by the
-- operator who keyed the appeal in (attachment_id, sha256 of the file).
--
-- appeal_information_requests: BEDK's requests for information to an
-- institution (A4: it owes an answer within 15 business days). At most one
-- open request per appeal and institution (open_appeal_id), so "the open
-- request addressed to my institution" is never ambiguous.
--
-- attachments gain appeal_id (the citizen's additional documents, the scanned
-- copies of a paper appeal) and information_request_id (documents an
-- institution sends with its answer to BEDK). An attachment belongs to at most
-- one application or appeal; claims are UPDATE ... WHERE id = ? AND
-- application_id IS NULL AND appeal_id IS NULL with the rows affected checked.

CREATE SEQUENCE appeal_no_seq START WITH 1 INCREMENT BY 1 MINVALUE 1
    MAXVALUE 999999999 CACHE 100 NOCYCLE;

CREATE TABLE appeals (
    id BIGINT NOT NULL AUTO_INCREMENT,
    appeal_no VARCHAR(32) COLLATE utf8mb4_bin NOT NULL COMMENT 'the appeal_id of the API',
    application_id BIGINT NOT NULL,
    channel ENUM('internet', 'letter', 'in_person') NOT NULL
        COMMENT 'A3: appeals by e-mail or fax are not processed',
    ground ENUM('answered', 'not_processed', 'deemed_rejected') NOT NULL
        COMMENT 'the refusal appealed (A1)',
    refused_at DATETIME(3) NOT NULL
        COMMENT 'answered_at of the answer, or the end of the D4 period',
    window_ends_at DATETIME(3) NOT NULL COMMENT 'end of the A2 window',
    reason MEDIUMTEXT NOT NULL,
    status ENUM('appeal_filed', 'appeal_decided') NOT NULL DEFAULT 'appeal_filed',
    filed_at DATETIME(3) NOT NULL,
    filed_by_user_id BIGINT NULL COMMENT 'the operator who keyed in a paper appeal',
    due_at DATETIME(3) NOT NULL COMMENT 'A4: the decision is due',
    decision ENUM('accepted', 'partially_accepted', 'rejected') NULL,
    decision_text MEDIUMTEXT NULL,
    decided_at DATETIME(3) NULL,
    decided_by_user_id BIGINT NULL,
    application_due_at DATETIME(3) NULL
        COMMENT 'the new deadline of the application sent back to the institution',
    open_application_id BIGINT AS (IF(status = 'appeal_filed', application_id, NULL)) PERSISTENT,
    idempotency_key VARCHAR(128) COLLATE utf8mb4_bin NULL,
    request_hash BINARY(32) NULL COMMENT 'HMAC-SHA256 of the request',
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_appeals_no (appeal_no),
    UNIQUE KEY uq_appeals_refusal (application_id, refused_at),
    UNIQUE KEY uq_appeals_open (open_application_id),
    UNIQUE KEY uq_appeals_idempotency (idempotency_key),
    KEY ix_appeals_due (due_at, id),
    KEY ix_appeals_status_due (status, due_at, id),
    CONSTRAINT fk_appeals_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeals_filed_by FOREIGN KEY (filed_by_user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeals_decided_by FOREIGN KEY (decided_by_user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_appeals_no CHECK (appeal_no REGEXP '^[0-9]{4}-[0-9]{6,9}$'),
    CONSTRAINT ck_appeals_reason CHECK (CHAR_LENGTH(TRIM(reason)) > 0),
    CONSTRAINT ck_appeals_decided CHECK (
        (status = 'appeal_decided') = (decision IS NOT NULL)
        AND (decision IS NULL) = (decided_at IS NULL)
        AND (decision IS NULL) = (decision_text IS NULL)),
    CONSTRAINT ck_appeals_reopened CHECK (
        application_due_at IS NULL OR decision IN ('accepted', 'partially_accepted')),
    CONSTRAINT ck_appeals_due CHECK (due_at > filed_at),
    CONSTRAINT ck_appeals_idempotency CHECK (
        idempotency_key IS NULL OR request_hash IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='appeals to BEDK';

CREATE TABLE appeal_copies (
    id BIGINT NOT NULL AUTO_INCREMENT,
    appeal_id BIGINT NOT NULL,
    kind ENUM('application', 'answer') NOT NULL,
    source ENUM('generated', 'attachment') NOT NULL,
    document MEDIUMTEXT COLLATE utf8mb4_bin NULL
        COMMENT 'the generated JSON document; sha256 is over these bytes (UTF-8)',
    attachment_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    sha256 BINARY(32) NOT NULL,
    generated_at DATETIME(3) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_appeal_copies (appeal_id, kind, source),
    KEY ix_appeal_copies_attachment (attachment_id),
    CONSTRAINT fk_appeal_copies_appeal FOREIGN KEY (appeal_id)
        REFERENCES appeals (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeal_copies_attachment FOREIGN KEY (attachment_id)
        REFERENCES attachments (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_appeal_copies_source CHECK (
        (source = 'generated' AND document IS NOT NULL AND generated_at IS NOT NULL
         AND attachment_id IS NULL)
        OR (source = 'attachment' AND document IS NULL AND attachment_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='copies of the application and the answer carried by an appeal (A3)';

CREATE TABLE appeal_information_requests (
    id BIGINT NOT NULL AUTO_INCREMENT,
    appeal_id BIGINT NOT NULL,
    institution_code VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    text MEDIUMTEXT NOT NULL,
    requested_at DATETIME(3) NOT NULL,
    requested_by_user_id BIGINT NULL,
    due_at DATETIME(3) NOT NULL COMMENT 'A4: 15 business days',
    answered_at DATETIME(3) NULL,
    answer_text MEDIUMTEXT NULL,
    answered_by_user_id BIGINT NULL COMMENT 'NULL with answered_at set: an agency system',
    open_appeal_id BIGINT AS (IF(answered_at IS NULL, appeal_id, NULL)) PERSISTENT,
    PRIMARY KEY (id),
    UNIQUE KEY uq_appeal_information_requests_open (open_appeal_id, institution_code),
    KEY ix_appeal_information_requests_appeal (appeal_id, id),
    KEY ix_appeal_information_requests_institution (institution_code, answered_at, due_at),
    CONSTRAINT fk_appeal_information_requests_appeal FOREIGN KEY (appeal_id)
        REFERENCES appeals (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeal_information_requests_institution FOREIGN KEY (institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeal_information_requests_by FOREIGN KEY (requested_by_user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_appeal_information_requests_answered_by FOREIGN KEY (answered_by_user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_appeal_information_requests_text CHECK (CHAR_LENGTH(TRIM(text)) > 0),
    CONSTRAINT ck_appeal_information_requests_answer CHECK (
        (answered_at IS NULL) = (answer_text IS NULL)),
    CONSTRAINT ck_appeal_information_requests_due CHECK (due_at > requested_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='BEDK''s requests for information to institutions (A4)';

ALTER TABLE attachments
    ADD COLUMN appeal_id BIGINT NULL COMMENT 'the appeal that claimed it' AFTER application_id,
    ADD COLUMN information_request_id BIGINT NULL
        COMMENT 'the answer to BEDK it came with (appeal_id is then set too)' AFTER appeal_id,
    ADD KEY ix_attachments_appeal (appeal_id),
    ADD KEY ix_attachments_information_request (information_request_id),
    ADD CONSTRAINT fk_attachments_appeal FOREIGN KEY (appeal_id)
        REFERENCES appeals (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    ADD CONSTRAINT fk_attachments_information_request FOREIGN KEY (information_request_id)
        REFERENCES appeal_information_requests (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    DROP CONSTRAINT ck_attachments_claim,
    ADD CONSTRAINT ck_attachments_claim CHECK (
        (application_id IS NULL AND appeal_id IS NULL) = (claimed_at IS NULL)),
    ADD CONSTRAINT ck_attachments_one_owner CHECK (
        application_id IS NULL OR appeal_id IS NULL),
    ADD CONSTRAINT ck_attachments_information_request CHECK (
        information_request_id IS NULL OR appeal_id IS NOT NULL);
