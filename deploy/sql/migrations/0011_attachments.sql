-- SPDX-License-Identifier: MIT
--
-- Attachments (issue 3 item 6): files a citizen or an operator uploads
-- before filing, then names in the application's attachment_ids.
--
-- The bytes are not in the database: the submission service stores each
-- file once, content-addressed, under BIMER_ATTACHMENT_DIR
-- (<dir>/<h[0:2]>/<h[2:4]>/<sha256 hex>), outside the web root. A row is one
-- upload: the same content uploaded twice gives two rows (two ids) and one
-- file, so the sha256 index is what tells whether a file is still referenced.
--
-- id is the attachment_id the client gets: random bytes from the CSPRNG in
-- base64url, unguessable so that nobody can claim someone else's upload. It
-- is compared byte for byte (ascii_bin): under a case-insensitive collation
-- "aB" and "Ab" would be the same id.
--
-- Claiming: the intake sets application_id and claimed_at in its own
-- transaction with UPDATE ... WHERE id = ? AND application_id IS NULL and
-- checks the rows affected, so of two applications racing for one upload
-- exactly one gets it. idempotency_key is the upload's Idempotency-Key; a
-- retry with the same key and the same content (sha256, content_type) gets
-- the same row back.

CREATE TABLE attachments (
    id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
        COMMENT 'attachment_id: CSPRNG bytes in base64url',
    sha256 BINARY(32) NOT NULL COMMENT 'SHA-256 of the content; names the stored file',
    size INT UNSIGNED NOT NULL COMMENT 'bytes',
    content_type ENUM('application/pdf', 'image/png', 'image/jpeg') NOT NULL
        COMMENT 'as declared and confirmed by the magic bytes',
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    application_id BIGINT NULL COMMENT 'the application that claimed it',
    claimed_at DATETIME(3) NULL,
    idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_attachments_idempotency (idempotency_key),
    KEY ix_attachments_application (application_id),
    KEY ix_attachments_sha256 (sha256),
    KEY ix_attachments_unclaimed (claimed_at, created_at),
    CONSTRAINT fk_attachments_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_attachments_id CHECK (id REGEXP '^[A-Za-z0-9_-]{8,64}$'),
    CONSTRAINT ck_attachments_size CHECK (size > 0),
    CONSTRAINT ck_attachments_claim CHECK ((application_id IS NULL) = (claimed_at IS NULL)),
    CONSTRAINT ck_attachments_idempotency CHECK (
        idempotency_key IS NULL OR idempotency_key REGEXP '^[A-Za-z0-9._:-]{8,128}$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='uploaded files (content under BIMER_ATTACHMENT_DIR), claimed once';
