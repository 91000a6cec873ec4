-- delivery_queue is small and churns: every delivery inserts a row, leases it once per attempt and
-- deletes it, three dead versions a delivery, 20,000 a second at full drain. Claims read the due
-- index from its start, past the entries of deleted rows until a vacuum removes them. By default
-- autovacuum waits for dead rows to reach a fifth of the live ones, which after a 100,000-row
-- backlog is 20,000 whatever the queue holds by then, and sleeps 2 ms every 200 pages: tuned here
-- to look at a fixed count of dead rows and to run without sleeping, a few milliseconds on a
-- table this size. Benchmarks and tests issue no VACUUM of their own during measured phases.
alter table delivery_queue set (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 10000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 10000,
    autovacuum_vacuum_cost_delay = 0
);
