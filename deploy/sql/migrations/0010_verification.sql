-- SPDX-License-Identifier: MIT
--
-- E-mail verification of internet applications (rules.md C6, D7) and the
-- numbering of applications.
--
-- verification_tokens: one row per mailed link. Only the SHA-256 of the token
-- is stored; a token is single use (used_at) and expires (expires_at, 48 hours
-- by default). A resend adds a new row and retires the older ones
-- (superseded_at), so only the newest link works.
--
-- application_no_seq: the running part of application numbers
-- ("2026-0001234-7"). A SEQUENCE hands out values without holding a lock until
-- commit, so concurrent submissions do not queue behind one counter row; gaps
-- after a rollback are harmless.

CREATE TABLE verification_tokens (
    token_hash BINARY(32) NOT NULL COMMENT 'SHA-256 of the mailed token',
    application_id BIGINT NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    expires_at DATETIME(3) NOT NULL,
    used_at DATETIME(3) NULL,
    superseded_at DATETIME(3) NULL,
    PRIMARY KEY (token_hash),
    KEY ix_verification_tokens_application (application_id),
    CONSTRAINT fk_verification_tokens_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_verification_tokens_expiry CHECK (expires_at > created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='single-use e-mail verification links (hashed)';

CREATE SEQUENCE application_no_seq START WITH 1 INCREMENT BY 1 MINVALUE 1
    MAXVALUE 999999999 CACHE 1000 NOCYCLE;
