-- 0730 queue_items_page (0670: kind, state, due, id) serves every lookup by kind and state
-- that queue_items_open (0200: kind, state) did; each item posting an 835 opens paid for
-- both (issue 16: a 1 GB 835 at 20,000 claims/s).
DROP INDEX queue_items_open;
