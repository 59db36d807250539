-- SPDX-License-Identifier: MIT
-- The attachment store's removal queue takes uploads too (issue 3, KVKK): an
-- upload queues its content before it writes the file, so a file whose row
-- never came (the insert failed, the service died in between) is removed by
-- the worker's next pass instead of staying on disk unrecorded. The pass
-- drops the entry, keeping the file, once a row names the content.
ALTER TABLE attachment_file_removals
    COMMENT='stored contents to remove unless an attachment row names them: queued when a row is deleted, and by each upload before its file is written';
