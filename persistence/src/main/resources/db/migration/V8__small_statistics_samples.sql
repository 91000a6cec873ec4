-- An analyze samples 300 rows per unit of the largest statistics target among a table's columns:
-- 30,000 rows at the default of 100. With the bodies left out (V6), autoanalyze of events,
-- deliveries and delivery_attempts still took 0.6 CPU s within two seconds at 1,000 events a
-- second, the slowest seconds of the benchmark, most of it reading and sorting sampled keys,
-- names and times. These columns are reached through indexes (keys, a project's, bot's or
-- webhook's deliveries newest first), where the planner needs row counts and rough frequencies,
-- not fine histograms: a target of 10 keeps ten common values and ten buckets from 3,000 rows.
alter table events
    alter column id set statistics 10,
    alter column project_id set statistics 10,
    alter column event_id set statistics 10,
    alter column bot_id set statistics 10,
    alter column create_time set statistics 10;

alter table deliveries
    alter column id set statistics 10,
    alter column event_id set statistics 10,
    alter column webhook_id set statistics 10,
    alter column project_id set statistics 10,
    alter column bot_id set statistics 10,
    alter column status set statistics 10,
    alter column create_time set statistics 10;

alter table delivery_attempts
    alter column delivery_id set statistics 10,
    alter column attempt_number set statistics 10;
