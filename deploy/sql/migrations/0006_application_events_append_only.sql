-- SPDX-License-Identifier: MIT
--
-- application_events is append-only: these triggers refuse UPDATE and DELETE
-- for every client, whatever its privileges on the table. A later migration
-- that must rewrite rows (e.g. anonymisation at the end of retention) drops
-- and recreates them explicitly, in the same file.
-- Kept apart from the table's own migration so that, if this file fails, the
-- table is not left half-made: with binary logging on, a user without SUPER
-- may create triggers only when the server runs with
-- log_bin_trust_function_creators = 1 (MariaDB error 1419).

CREATE TRIGGER tr_application_events_no_update BEFORE UPDATE ON application_events
FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'application_events is append-only: add an event instead';

CREATE TRIGGER tr_application_events_no_delete BEFORE DELETE ON application_events
FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'application_events is append-only: rows are never deleted';
