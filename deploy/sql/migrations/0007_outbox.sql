-- SPDX-License-Identifier: MIT
--
-- The mail outbox: a mail is written in the same transaction as the change
-- that causes it and delivered later by the worker, so no mail is lost when
-- SMTP is down and none is sent for a change that rolled back.
-- The worker claims due rows (status pending, next_attempt_at <= now, or a
-- 'sending' row whose locked_until has passed) with UPDATE ... WHERE status =
-- and a rows-affected check, sends, then marks them sent or schedules a retry
-- (attempts, next_attempt_at) until it gives up with status failed.

CREATE TABLE outbox (
    id BIGINT NOT NULL AUTO_INCREMENT,
    kind VARCHAR(40) COLLATE utf8mb4_bin NOT NULL
        COMMENT 'lower snake case, e.g. verification, tracking_link, answer',
    application_id BIGINT NULL,
    recipient VARCHAR(254) NOT NULL,
    subject VARCHAR(255) NOT NULL,
    body_text MEDIUMTEXT NOT NULL,
    body_html MEDIUMTEXT NULL,
    status ENUM('pending', 'sending', 'sent', 'failed') NOT NULL DEFAULT 'pending',
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    locked_until DATETIME(3) NULL COMMENT 'claim of the worker sending it',
    last_error VARCHAR(255) NULL,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    sent_at DATETIME(3) NULL,
    PRIMARY KEY (id),
    KEY ix_outbox_due (status, next_attempt_at),
    KEY ix_outbox_application (application_id),
    CONSTRAINT fk_outbox_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_outbox_kind CHECK (kind REGEXP '^[a-z][a-z0-9_]*$'),
    CONSTRAINT ck_outbox_recipient CHECK (recipient REGEXP '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT ck_outbox_attempts CHECK (attempts >= 0),
    CONSTRAINT ck_outbox_sent CHECK (status <> 'sent' OR sent_at IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='mail waiting for the worker';
