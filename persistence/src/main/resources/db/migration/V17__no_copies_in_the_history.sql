-- Columns that repeated what another row already holds, on every delivery or event.
--
-- An event's body (V13) holds its state change whole, its trigger included; the columns beside it
-- were written and never read, but for the trigger, which a delivery now reads from its body.
--
-- A delivery's URL is where its newest attempt went, which that
-- attempt lists, or else its webhook's URL, where its next attempt will go (the claim always read
-- it from the webhook). At half-full pages (V4) each byte of a delivery row is two on disk.
--
-- Dropped columns take no time to drop and no room in rows written after; rows written before
-- keep theirs until rewritten.
alter table events drop column bot_metadata;
alter table events drop column old_state;
alter table events drop column new_state;
alter table events drop column event_type;
alter table events drop column event_sub_type;
alter table events drop column created_at;
alter table events drop column trigger;
alter table deliveries drop column trigger;
alter table deliveries drop column url;
