-- SPDX-License-Identifier: MIT
--
-- Applications: petitions (dilekce, Law 3071) and information requests
-- (bilgi_edinme, Law 4982), one row each, whatever the channel.
--
-- Identity (KVKK): the T.C. kimlik no is never stored in clear.
-- applicant_tckn_enc is AES-256-GCM (nonce || ciphertext || tag) under the
-- data key, applicant_tckn_hmac is HMAC-SHA256 under the HMAC key and is what
-- look-ups match on; both keys live outside the database. A fully anonymous
-- application (rules.md C3) has no applicant data at all, which a CHECK
-- enforces. identity_hidden (rules.md C2) keeps the data but hides it from
-- the receiving institution; that is the services' job.
--
-- Secrets are stored as hashes: tracking_hash is SHA-256 of the tracking
-- code. idempotency_key is the client's Idempotency-Key; request_hash is
-- SHA-256 of the request it came with, so a reuse with another body is seen.
--
-- Times are UTC. received_at starts the legal clock (rules.md D5), due_at is
-- the end of the legal period as computed by the business-day calendar.
-- State changes are made with UPDATE ... WHERE id = ? AND status = ? and the
-- affected row count checked.

CREATE TABLE applications (
    id BIGINT NOT NULL AUTO_INCREMENT,
    application_no VARCHAR(20) COLLATE utf8mb4_bin NOT NULL
        COMMENT 'digits and dashes, short enough to read over the phone',
    tracking_hash BINARY(32) NULL COMMENT 'SHA-256 of the tracking code',
    type ENUM('dilekce', 'bilgi_edinme') NOT NULL,
    category ENUM('istek', 'sikayet', 'ihbar', 'gorus', 'oneri') NULL
        COMMENT 'petitions only',
    channel ENUM('internet', 'phone', 'fax', 'letter', 'in_person') NOT NULL,
    subject VARCHAR(255) NOT NULL,
    body MEDIUMTEXT NOT NULL,
    topic VARCHAR(100) NULL,
    target_institution_code VARCHAR(64) COLLATE utf8mb4_bin NULL
        COMMENT 'the institution the applicant chose, if any',
    province_code CHAR(2) COLLATE utf8mb4_bin NULL,
    identity_hidden BOOL NOT NULL DEFAULT 0,
    anonymous BOOL NOT NULL DEFAULT 0,
    applicant_tckn_enc VARBINARY(64) NULL COMMENT 'AES-256-GCM nonce||ciphertext||tag',
    applicant_tckn_hmac BINARY(32) NULL COMMENT 'HMAC-SHA256 for look-ups',
    applicant_first_name VARCHAR(100) NULL,
    applicant_last_name VARCHAR(100) NULL,
    applicant_email VARCHAR(254) NULL,
    applicant_phone VARCHAR(32) NULL,
    applicant_address VARCHAR(1000) NULL,
    status ENUM('awaiting_verification', 'received', 'in_progress', 'answered', 'not_processed',
                'cancelled', 'deemed_rejected', 'expired') NOT NULL
        DEFAULT 'awaiting_verification',
    outcome ENUM('positive', 'negative', 'partial') NULL COMMENT 'set with status answered',
    reason_code VARCHAR(40) COLLATE utf8mb4_bin NULL
        COMMENT 'why not processed (rules.md reason codes)',
    assigned_institution_code VARCHAR(64) COLLATE utf8mb4_bin NULL
        COMMENT 'the institution holding it now',
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    received_at DATETIME(3) NULL,
    due_at DATETIME(3) NULL,
    extended_at DATETIME(3) NULL,
    answered_at DATETIME(3) NULL,
    closed_at DATETIME(3) NULL,
    idempotency_key VARCHAR(128) COLLATE utf8mb4_bin NULL,
    request_hash BINARY(32) NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_applications_no (application_no),
    UNIQUE KEY uq_applications_tracking (tracking_hash),
    UNIQUE KEY uq_applications_idempotency (idempotency_key),
    KEY ix_applications_inbox (assigned_institution_code, status, due_at),
    KEY ix_applications_reports (received_at, province_code),
    KEY ix_applications_expiry (status, created_at),
    KEY ix_applications_due (status, due_at),
    KEY ix_applications_tckn (applicant_tckn_hmac),
    KEY ix_applications_target (target_institution_code),
    KEY ix_applications_province (province_code),
    CONSTRAINT fk_applications_target FOREIGN KEY (target_institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_applications_assigned FOREIGN KEY (assigned_institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_applications_province FOREIGN KEY (province_code)
        REFERENCES provinces (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_applications_no CHECK (application_no REGEXP '^[0-9]+(-[0-9]+)*$'),
    CONSTRAINT ck_applications_category CHECK (type = 'dilekce' OR category IS NULL),
    CONSTRAINT ck_applications_subject CHECK (CHAR_LENGTH(TRIM(subject)) > 0),
    CONSTRAINT ck_applications_body CHECK (CHAR_LENGTH(TRIM(body)) > 0),
    CONSTRAINT ck_applications_flags CHECK (identity_hidden IN (0, 1) AND anonymous IN (0, 1)),
    CONSTRAINT ck_applications_tckn_pair CHECK (
        (applicant_tckn_enc IS NULL) = (applicant_tckn_hmac IS NULL)),
    CONSTRAINT ck_applications_anonymous CHECK (
        anonymous = 0
        OR (applicant_tckn_enc IS NULL AND applicant_tckn_hmac IS NULL
            AND applicant_first_name IS NULL AND applicant_last_name IS NULL
            AND applicant_email IS NULL AND applicant_phone IS NULL
            AND applicant_address IS NULL AND identity_hidden = 0)),
    CONSTRAINT ck_applications_email CHECK (
        applicant_email IS NULL OR applicant_email REGEXP '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT ck_applications_answered CHECK (status <> 'answered' OR outcome IS NOT NULL),
    CONSTRAINT ck_applications_not_processed CHECK (
        status <> 'not_processed' OR reason_code IS NOT NULL),
    CONSTRAINT ck_applications_reason_code CHECK (
        reason_code IS NULL OR reason_code REGEXP '^[A-Z][A-Z0-9_]*$'),
    CONSTRAINT ck_applications_received CHECK (
        status IN ('awaiting_verification', 'expired', 'cancelled') OR received_at IS NOT NULL),
    CONSTRAINT ck_applications_idempotency CHECK (
        idempotency_key IS NULL OR request_hash IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='petitions and information requests';
