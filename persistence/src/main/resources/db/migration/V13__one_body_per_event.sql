-- The bodies of one event's deliveries differ in their idempotency key alone: the event keeps one
-- body, with a placeholder key, and each delivery's is made from it as it is sent or read
-- (PayloadBuilder.withKey). A delivery stored before keeps its own body.
alter table events add column body text;
alter table events alter column body set statistics 0;
alter table deliveries alter column payload drop not null;
