-- 0300 exchange ledger: what went to and came from each clearinghouse over SFTP. An upload
-- row is written before the first byte leaves (state intent, final remote name chosen) so a
-- crash never re-sends a file under another name; a download row is written once the file
-- is stored locally and before the remote copy is deleted or moved.
CREATE TABLE exchange_uploads (
    clearinghouse TEXT NOT NULL,
    sha256        TEXT NOT NULL,             -- of the whole outbound file
    local_name    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    remote_name   TEXT NOT NULL,
    temp_name     TEXT NOT NULL,
    set_id        TEXT NOT NULL,             -- 837, 270
    control       TEXT NOT NULL,             -- ISA13
    groups        TEXT NOT NULL,             -- JSON array of GS06
    transactions  TEXT NOT NULL,             -- JSON array of ST02
    claims        TEXT NOT NULL,             -- JSON array of CLM01
    state         TEXT NOT NULL,             -- intent, renaming, uploaded
    inferred      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (clearinghouse, sha256)
);
CREATE INDEX exchange_uploads_control ON exchange_uploads (clearinghouse, control);
CREATE TABLE exchange_downloads (
    id            {{serial}},
    clearinghouse TEXT NOT NULL,
    remote_path   TEXT NOT NULL,
    size          BIGINT NOT NULL,
    mtime         BIGINT NOT NULL,           -- Unix seconds (SFTP v3 precision)
    sha256        TEXT NOT NULL,
    local_path    TEXT NOT NULL,
    duplicate     INTEGER NOT NULL DEFAULT 0, -- same content as an earlier download
    downloaded_at TEXT NOT NULL
);
CREATE INDEX exchange_downloads_remote ON exchange_downloads (clearinghouse, remote_path, size, mtime);
CREATE INDEX exchange_downloads_sha ON exchange_downloads (clearinghouse, sha256);
