-- SPDX-License-Identifier: MIT
--
-- Staff accounts and their roles. A user belongs to exactly one institution;
-- what the user may see follows from that institution and the roles.
-- User names are lower-case (the login service lower-cases what is typed),
-- so uniqueness is byte-wise and no two accounts differ only by case.
-- password_hash holds an argon2id hash in the standard encoded form
-- ($argon2id$v=19$m=65536,t=3,p=1$...); any value that is not such a hash
-- (e.g. '!') means the account cannot log in with a password.
-- Accounts are deactivated, not deleted: events name their actors.

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT,
    username VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    password_hash VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
    full_name VARCHAR(200) COLLATE utf8mb4_turkish_ci NOT NULL,
    email VARCHAR(254) NOT NULL,
    institution_code VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    active BOOL NOT NULL DEFAULT 1,
    failed_logins INT NOT NULL DEFAULT 0 COMMENT 'consecutive failures, reset on success',
    last_login_at DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_username (username),
    KEY ix_users_institution (institution_code),
    CONSTRAINT fk_users_institution FOREIGN KEY (institution_code)
        REFERENCES institutions (code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT ck_users_username CHECK (
        CHAR_LENGTH(username) BETWEEN 3 AND 64
        AND username REGEXP '^[a-z0-9]+([._-][a-z0-9]+)*$'),
    CONSTRAINT ck_users_password_hash CHECK (CHAR_LENGTH(password_hash) > 0),
    CONSTRAINT ck_users_full_name CHECK (CHAR_LENGTH(TRIM(full_name)) > 0),
    CONSTRAINT ck_users_email CHECK (email REGEXP '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT ck_users_active CHECK (active IN (0, 1)),
    CONSTRAINT ck_users_failed_logins CHECK (failed_logins >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='staff accounts';

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL,
    role ENUM('operator', 'institution_user', 'coordinator', 'bedk_member', 'admin') NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    PRIMARY KEY (user_id, role),
    KEY ix_user_roles_role (role),
    CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id)
        REFERENCES users (id) ON UPDATE RESTRICT ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='roles of staff accounts';
