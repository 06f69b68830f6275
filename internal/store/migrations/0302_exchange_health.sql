-- 0302 each clearinghouse's last SFTP exchange, so that a dashboard started later (or another
-- instance) knows how the exchange went without having run one itself.
CREATE TABLE exchange_health (
    clearinghouse        TEXT NOT NULL PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    last_error           TEXT NOT NULL,    -- no PHI: errors name files and hosts
    last_failure         TEXT NOT NULL,    -- '' when none
    last_success         TEXT NOT NULL,    -- '' when none
    alert                INTEGER NOT NULL
);
