-- A queued delivery that ingest made names its event, so that a claim reads the body, project and
-- bot from the event and does not look the delivery up first: the delivery's key is its id and its
-- payload its event's body (V13, V19), so its own row adds nothing an attempt needs. The look-up
-- was a probe of a day's index of deliveries and a heap page for every claimed row, 4 to 7 µs of
-- PostgreSQL's time each. Rows queued before, and deliveries put back by hand, keep a null event
-- and are read through their delivery, as all were. Only the catalogue changes.
alter table delivery_queue add column event_id uuid;
