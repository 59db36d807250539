-- SPDX-License-Identifier: MIT
--
-- Retention (KVKK, Law 6698 art. 7; security.md "Data protection"): when an
-- application has been closed for the retention period (BIMER_RETENTION_DAYS),
-- the worker anonymises it and records the destruction (services/worker/
-- retention.c). What stays is what the statistics need: type, category,
-- channel, province, institutions, times, status, outcome and reason code.
-- What goes: the applicant's identity and contact data, the tracking code's
-- hash, the idempotency key, the subject and text, the appeals' reasons and
-- decisions, the appeal copies, the mails, the verification links, the
-- attachments (their files too), and the note and data of every event.
--
-- Events stay hash-chained (bimer-audit) through the redaction: from this
-- migration on, an event's hash covers the SHA-256 digests of its note and
-- data instead of their text (hash_version 2; older rows keep version 1, whose
-- texts cannot be redacted without breaking their chain, so they are left
-- as they are and counted in the destruction record). A redacted event keeps
-- the digests in note_sha256 and data_sha256, so its hash still verifies.
-- The append-only trigger now allows exactly that one update and nothing
-- else, and only once the application is anonymised. (Anyone who may insert
-- events can append false ones whatever the hash covers; the chain proves
-- that no event was changed or removed, and a redaction is the one change.)

ALTER TABLE applications
    ADD COLUMN anonymised_at DATETIME(3) NULL
        COMMENT 'end of retention: identity, texts and secrets destroyed'
        AFTER closed_at,
    ADD KEY ix_applications_retention (anonymised_at, closed_at),
    ADD CONSTRAINT ck_applications_anonymised CHECK (
        anonymised_at IS NULL
        OR (closed_at IS NOT NULL AND tracking_hash IS NULL AND idempotency_key IS NULL
            AND request_hash IS NULL
            AND applicant_tckn_enc IS NULL AND applicant_tckn_hmac IS NULL
            AND applicant_first_name IS NULL AND applicant_last_name IS NULL
            AND applicant_email IS NULL AND applicant_phone IS NULL
            AND applicant_address IS NULL));

ALTER TABLE application_events
    ADD COLUMN hash_version TINYINT NOT NULL DEFAULT 1
        COMMENT '1: the hash covers note and data; 2: their SHA-256 digests'
        AFTER hash,
    ADD COLUMN note_sha256 BINARY(32) NULL
        COMMENT 'set when the note was redacted: SHA-256 of the note it had'
        AFTER hash_version,
    ADD COLUMN data_sha256 BINARY(32) NULL
        COMMENT 'set when the data was redacted: SHA-256 of the data it had'
        AFTER note_sha256,
    ADD CONSTRAINT ck_application_events_redacted CHECK (
        (note_sha256 IS NULL OR note IS NULL) AND (data_sha256 IS NULL OR data IS NULL)
        AND hash_version IN (1, 2));

-- Rows written from now on are version 2 (existing rows were filled with 1).
ALTER TABLE application_events ALTER COLUMN hash_version SET DEFAULT 2;

DROP TRIGGER tr_application_events_no_update;

CREATE TRIGGER tr_application_events_no_update BEFORE UPDATE ON application_events
FOR EACH ROW
BEGIN
    IF NOT (OLD.hash_version = 2 AND NEW.hash_version = 2
            AND NEW.id = OLD.id AND NEW.application_id = OLD.application_id
            AND NEW.at = OLD.at AND NEW.kind = OLD.kind
            AND NEW.actor_user_id <=> OLD.actor_user_id
            AND NEW.actor_institution_code <=> OLD.actor_institution_code
            AND NEW.from_institution_code <=> OLD.from_institution_code
            AND NEW.to_institution_code <=> OLD.to_institution_code
            AND NEW.request_id <=> OLD.request_id
            AND NEW.prev_hash <=> OLD.prev_hash AND NEW.hash <=> OLD.hash
            AND NEW.note IS NULL AND NEW.data IS NULL
            AND NEW.note_sha256 <=> IF(OLD.note IS NULL, OLD.note_sha256,
                                      UNHEX(SHA2(OLD.note, 256)))
            AND NEW.data_sha256 <=> IF(OLD.data IS NULL, OLD.data_sha256,
                                      UNHEX(SHA2(OLD.data, 256)))
            AND EXISTS (SELECT 1 FROM applications a
                        WHERE a.id = OLD.application_id AND a.anonymised_at IS NOT NULL))
    THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'application_events is append-only: add an event instead';
    END IF;
END;

-- One row per destruction: which record, on what basis, what was destroyed. An
-- attachment never claimed by an application or an appeal is deleted
-- BIMER_ATTACHMENT_UNCLAIMED_HOURS after its upload, with a row of its own.
CREATE TABLE data_destructions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    destroyed_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    method ENUM('anonymised', 'deleted') NOT NULL
        COMMENT 'anonymised: an application; deleted: an attachment never claimed',
    application_id BIGINT NULL,
    application_no VARCHAR(20) COLLATE utf8mb4_bin NULL,
    attachment_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL
        COMMENT 'the id the deleted attachment had',
    basis_at DATETIME(3) NOT NULL
        COMMENT 'when the period began: the closing, or the upload',
    retention VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
        COMMENT 'the period applied, ISO 8601 (P3650D, PT24H)',
    detail JSON NOT NULL
        COMMENT 'what was destroyed: fields, and counts of events, mails, files, ...',
    PRIMARY KEY (id),
    UNIQUE KEY uq_data_destructions_application (application_id),
    KEY ix_data_destructions_at (destroyed_at),
    CONSTRAINT fk_data_destructions_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_data_destructions_subject CHECK (
        (method = 'anonymised' AND application_id IS NOT NULL AND application_no IS NOT NULL
         AND attachment_id IS NULL)
        OR (method = 'deleted' AND application_id IS NULL AND application_no IS NULL
            AND attachment_id IS NOT NULL)),
    CONSTRAINT ck_data_destructions_retention CHECK (retention REGEXP '^PT?[0-9]+[DH]$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='record of each destruction of personal data (KVKK)';

-- Attachment files whose rows were deleted: the worker removes each file once
-- no attachment row names its content any more (retention.c), so a crash
-- between the commit and the unlink never leaves a file behind for good.
CREATE TABLE attachment_file_removals (
    sha256 BINARY(32) NOT NULL,
    queued_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    PRIMARY KEY (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='stored files to remove once unreferenced';
