-- 0651 a remote file version (clearinghouse, path, size, mtime) is recorded as downloaded
-- once: the record is the guard the exchange takes before deleting or moving the remote
-- file, so a second writer's insert changes nothing and it learns the file was taken.
-- Stores from before may hold the same version twice (two instances downloaded it); the
-- first record stands.
DELETE FROM exchange_downloads WHERE id NOT IN (SELECT MIN(d.id) FROM exchange_downloads d
    GROUP BY d.clearinghouse, d.remote_path, d.size, d.mtime);
DROP INDEX exchange_downloads_remote;
CREATE UNIQUE INDEX exchange_downloads_remote ON exchange_downloads (clearinghouse, remote_path, size, mtime);
