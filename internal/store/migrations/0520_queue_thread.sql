-- Each queue item's thread: assignments, notes and the resolution, with who and when. An
-- item opened from another (a denial appealed) starts with its predecessor's entries, each
-- naming the item it was written on (from_item), so the work keeps its history.
CREATE TABLE queue_thread (
    id        {{serial}},
    item_id   BIGINT NOT NULL,
    at        TEXT NOT NULL,
    who       TEXT NOT NULL DEFAULT '',
    what      TEXT NOT NULL,             -- assign, note, resolve
    body      TEXT NOT NULL DEFAULT '',  -- the assignee, the note, the outcome
    from_item BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX queue_thread_item ON queue_thread (item_id, id);

-- Items kept one assignee and one notes text before threads: both become entries, dated
-- when the item was opened (the only date known), then the outcome of a resolved item.
INSERT INTO queue_thread (item_id, at, what, body) SELECT id, created_at, 'assign', assignee FROM queue_items WHERE assignee <> '' ORDER BY id;
INSERT INTO queue_thread (item_id, at, what, body) SELECT id, created_at, 'note', notes FROM queue_items WHERE notes <> '' ORDER BY id;
INSERT INTO queue_thread (item_id, at, what, body) SELECT id, resolved_at, 'resolve', outcome FROM queue_items WHERE outcome <> '' ORDER BY id;

-- Appeals opened from a denial (source queue:ID) before threads followed the work get the
-- denial's thread and assignee now.
INSERT INTO queue_thread (item_id, at, who, what, body, from_item)
    SELECT a.id, t.at, t.who, t.what, t.body, t.item_id FROM queue_items a JOIN queue_thread t ON a.source = 'queue:' || t.item_id
    WHERE a.kind = 'appeals' ORDER BY a.id, t.id;
UPDATE queue_items SET assignee = (SELECT d.assignee FROM queue_items d WHERE queue_items.source = 'queue:' || d.id)
    WHERE kind = 'appeals' AND assignee = '' AND EXISTS (SELECT 1 FROM queue_items d WHERE queue_items.source = 'queue:' || d.id AND d.assignee <> '');
UPDATE queue_items SET notes = '';
