-- SPDX-License-Identifier: MIT
--
-- The timeline of every application (rules.md R3: who, when, from, to, why).
-- Append-only (the triggers of 0006): a mistake is corrected by a new event,
-- never by rewriting an old one. prev_hash/hash are reserved for the audit
-- hash chain of a later issue.
-- Institution codes are plain references checked by foreign keys;
-- institutions and users are deactivated, never deleted.

CREATE TABLE application_events (
    id BIGINT NOT NULL AUTO_INCREMENT,
    application_id BIGINT NOT NULL,
    at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    kind VARCHAR(40) COLLATE utf8mb4_bin NOT NULL
        COMMENT 'lower snake case, e.g. submitted, verified, routed, answered',
    actor_user_id BIGINT NULL COMMENT 'NULL: the citizen or the system',
    actor_institution_code VARCHAR(64) COLLATE utf8mb4_bin NULL,
    from_institution_code VARCHAR(64) COLLATE utf8mb4_bin NULL,
    to_institution_code VARCHAR(64) COLLATE utf8mb4_bin NULL,
    note TEXT NULL,
    data JSON NULL,
    request_id VARCHAR(64) COLLATE utf8mb4_bin NULL COMMENT 'X-Request-Id of the request',
    prev_hash BINARY(32) NULL,
    hash BINARY(32) NULL,
    PRIMARY KEY (id),
    KEY ix_application_events_application (application_id, id),
    KEY ix_application_events_kind_at (kind, at),
    KEY ix_application_events_actor_user (actor_user_id),
    KEY ix_application_events_actor_inst (actor_institution_code),
    KEY ix_application_events_from (from_institution_code),
    KEY ix_application_events_to (to_institution_code),
    CONSTRAINT fk_application_events_application FOREIGN KEY (application_id)
        REFERENCES applications (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_application_events_actor_user FOREIGN KEY (actor_user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_application_events_actor_inst FOREIGN KEY (actor_institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_application_events_from FOREIGN KEY (from_institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_application_events_to FOREIGN KEY (to_institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_application_events_kind CHECK (kind REGEXP '^[a-z][a-z0-9_]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only timeline of each application';
