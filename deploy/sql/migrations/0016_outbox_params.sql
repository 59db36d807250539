-- SPDX-License-Identifier: MIT
--
-- Outbox rows that hold a mail's parameters instead of its text (issue 3).
-- The verification mail is written with every internet application; its
-- rendered subject, text and HTML (~1.9 KB) cost MariaDB more than the rest
-- of the application's rows. Its row now holds only what the renderer needs
-- (params: compact JSON with the application number, the names, the token
-- and the expiry; common/bm_notify.c), and the worker renders it with the
-- same code when it delivers it. Other kinds keep their rendered bodies;
-- rows written before this migration are delivered as they are.
--
-- A row waiting to be sent holds exactly one of the two forms. The worker
-- clears params when it marks the row sent or failed (the token must not
-- outlive the delivery), as it already blanks a sent row's bodies, so a
-- finished row may hold neither.

ALTER TABLE outbox
    MODIFY subject VARCHAR(255) NULL,
    MODIFY body_text MEDIUMTEXT NULL,
    ADD COLUMN params TEXT COLLATE utf8mb4_bin NULL
        COMMENT 'JSON the worker renders the mail from (kinds without stored bodies)'
        AFTER body_html,
    ADD CONSTRAINT ck_outbox_content CHECK (
        (params IS NULL AND subject IS NOT NULL AND body_text IS NOT NULL)
        OR (params IS NOT NULL AND subject IS NULL AND body_text IS NULL
            AND body_html IS NULL)
        OR (params IS NULL AND status IN ('sent', 'failed')));
