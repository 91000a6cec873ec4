-- An event's body, deflated against a dictionary (PackedBodies): about 50 bytes where the text
-- took about 300. Events written before keep their text in body; an event has one or the other.
alter table events add column packed_body bytea;
alter table events alter column packed_body set statistics 0;
