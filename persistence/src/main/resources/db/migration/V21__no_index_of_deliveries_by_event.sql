-- deliveries_by_event served one read: the deliveries an event got when it was first ingested,
-- for a replay of its event id, which is rare. That read now finds them by the bot's index, with
-- the event's project, bot and creation time, which its deliveries share. The index was an entry
-- per delivery, about 33 bytes of each with one webhook.
drop index deliveries_by_event;
