-- A claim used to move a delivery's next_attempt_time to the end of its lease. That column is in
-- the due index, so every claim rewrote the row and all seven of its index entries. The lease now
-- lives in a column of its own, which no index holds: a claim changes no indexed column and,
-- with room left on the page, PostgreSQL updates the row in place (a HOT update).
alter table deliveries add column lease_until timestamptz;
alter table deliveries set (fillfactor = 85);
