-- A new delivery's idempotency key is its id (NewDelivery): unique as the key must be, and a key a
-- subscriber quotes finds the delivery by GetDelivery. Nothing is stored for it; a delivery made
-- before keeps the key it was sent with.
alter table deliveries alter column idempotency_key drop not null;
