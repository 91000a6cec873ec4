-- A foreign key is checked by a query PostgreSQL plans once per connection and keeps. Planned
-- while a table is empty or nearly so (a new installation, right after a vacuum or autovacuum's
-- first look), that query scans the table, and keeps scanning it as it grows until autoanalyze
-- looks again: at 1,000 events a second every delivery read all the events and deliveries
-- written so far, and ingest fell a minute behind. Each check also locked the parent row (a WAL
-- record per delivery, and every delivery of a webhook locked that one webhook row).
--
-- The rows these keys guarded are written together: an event, its deliveries and their queue
-- rows by one statement; an attempt is recorded for the delivery it was claimed from. No
-- event, delivery or webhook row is ever deleted (webhooks are deleted by marking them).
alter table deliveries drop constraint deliveries_event_id_fkey;
alter table deliveries drop constraint deliveries_webhook_id_fkey;
alter table delivery_queue drop constraint delivery_queue_delivery_id_fkey;
alter table delivery_attempts drop constraint delivery_attempts_delivery_id_fkey;
