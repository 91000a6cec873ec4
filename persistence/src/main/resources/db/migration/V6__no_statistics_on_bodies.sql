-- Autoanalyze samples 30,000 rows of a table whatever its size and computes statistics for every
-- column. Herald's statements find rows by key or index and never filter, join or sort on the
-- bodies, texts and times below, so their statistics shape no plan; computing them (sorting the
-- sampled payloads above all) was most of what an analyze of these tables cost, CPU taken at
-- once from whatever else the machine was doing.
alter table events
    alter column trigger set statistics 0,
    alter column bot_metadata set statistics 0,
    alter column old_state set statistics 0,
    alter column new_state set statistics 0,
    alter column event_type set statistics 0,
    alter column event_sub_type set statistics 0,
    alter column created_at set statistics 0;

alter table deliveries
    alter column trigger set statistics 0,
    alter column idempotency_key set statistics 0,
    alter column url set statistics 0,
    alter column payload set statistics 0,
    alter column attempt_count set statistics 0,
    alter column round_start set statistics 0,
    alter column failure_reason set statistics 0,
    alter column last_attempt_time set statistics 0,
    alter column succeeded_time set statistics 0;

alter table delivery_attempts
    alter column url set statistics 0,
    alter column start_time set statistics 0,
    alter column duration_ms set statistics 0,
    alter column response_status_code set statistics 0,
    alter column response_body set statistics 0,
    alter column error set statistics 0,
    alter column succeeded set statistics 0;
