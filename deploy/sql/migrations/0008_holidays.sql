-- SPDX-License-Identifier: MIT
--
-- Public holidays of Law 2429, read by the business-day calendar (rules.md D6).
-- Holidays are data: the centre's administrators edit them, and each year's
-- religious holidays are added by a new migration or by hand. Saturdays and
-- Sundays are not stored. half_day marks an afternoon-only holiday (arife,
-- 28 Ekim from 13:00): rules.md D6 counts it as a business day for the
-- administration's deadlines; the flag is kept for display and for any rule
-- that treats it otherwise. A day that is both a half and a full holiday is
-- stored once, as a full holiday.

CREATE TABLE holidays (
    day DATE NOT NULL,
    half_day BOOL NOT NULL DEFAULT 0,
    name VARCHAR(100) COLLATE utf8mb4_turkish_ci NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (day),
    CONSTRAINT ck_holidays_half_day CHECK (half_day IN (0, 1)),
    CONSTRAINT ck_holidays_name CHECK (CHAR_LENGTH(TRIM(name)) > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='public holidays (Law 2429)';
