-- Endpoints back from a pause whose parked backlog claims take where it waits, oldest first,
-- until none is left. Only unordered webhooks: an ordered one's backlog goes by its bots' lines,
-- each line's first made due when the endpoint is back. Claims read this table whole: it holds the
-- endpoints coming back at the moment, a handful at most.
create table returning_backlogs (
    webhook_id uuid primary key,
    return_time timestamptz not null
);

-- Backlogs that were being made due a chunk at a time go on the new way: an unordered webhook's
-- is claimed where it waits; an ordered webhook's lines' first deliveries are due now.
insert into returning_backlogs (webhook_id, return_time)
select id, now()
  from webhooks
 where unreachable_since is null
   and next_probe_time is not null
   and ordering = 'UNORDERED';

update delivery_queue p
   set next_attempt_time = now()
  from webhooks w
 where w.id = p.webhook_id
   and w.unreachable_since is null
   and w.next_probe_time is not null
   and w.ordering <> 'UNORDERED'
   and p.next_attempt_time = 'infinity'
   and (p.order_seq is null or not exists (
         select 1
           from delivery_queue ahead
          where ahead.webhook_id = p.webhook_id
            and ahead.bot_id = p.bot_id
            and ahead.order_seq < p.order_seq));

update webhooks
   set next_probe_time = null
 where unreachable_since is null
   and next_probe_time is not null;
