-- SPDX-License-Identifier: MIT
--
-- Agency systems: institutions' own software that reads their inbox and
-- answers through the API with OAuth2 client credentials (POST /auth/token).
-- The secret is stored as an argon2id hash only; it is shown once, when the
-- client is created or its secret rotated. Each client acts for exactly one
-- institution, within its scopes (space-separated OAuth2 scope names).

CREATE TABLE agency_clients (
    client_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    secret_hash VARCHAR(255) NOT NULL COMMENT 'argon2id, standard encoded form',
    name VARCHAR(255) NOT NULL,
    institution_code VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    scopes VARCHAR(255) COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    active BOOL NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    last_used_at DATETIME(3) NULL,
    PRIMARY KEY (client_id),
    KEY ix_agency_clients_institution (institution_code),
    CONSTRAINT fk_agency_clients_institution FOREIGN KEY (institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_agency_clients_id CHECK (client_id REGEXP '^[a-z0-9][a-z0-9._-]{2,63}$'),
    CONSTRAINT ck_agency_clients_scopes CHECK (scopes REGEXP '^[a-z:_ ]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='OAuth2 client credentials of institutions'' systems';
