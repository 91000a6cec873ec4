-- The history's list indexes, remade to take less room for the same pages of newest first.
--
-- Declared newest first (create_time desc, id desc), every new delivery went in at the front of
-- its webhook's, bot's or project's range; a B-tree page split there keeps its older half, never
-- written again, so the pages stayed half full. Declared oldest first, a new entry goes at the end
-- of its range; a page of newest first reads the index backwards.
--
-- The id is left out of a bot's and a project's keys: the deliveries an event fans out to share its
-- creation time, and PostgreSQL keeps equal keys once, with a list of their rows, so those indexes
-- hold one entry per event rather than one per delivery. A page orders the few deliveries of one
-- instant by id after reading them. A webhook's keeps the id: a webhook has one delivery per event,
-- so nothing is shared, and the claim's look-up by webhook, creation time and id (AttemptRecords
-- .deliveryOf) stays a probe whatever the plan, even among deliveries made at one instant.
drop index deliveries_by_bot;
drop index deliveries_by_project;
drop index deliveries_by_webhook;
create index deliveries_by_bot on deliveries (project_id, bot_id, create_time);
create index deliveries_by_project on deliveries (project_id, create_time);
create index deliveries_by_webhook on deliveries (webhook_id, create_time, id);
