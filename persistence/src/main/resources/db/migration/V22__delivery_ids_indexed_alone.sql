-- The deliveries' primary key (id, create_time) becomes an index of the id alone: 24 bytes an
-- entry rather than 32, about 9 bytes a delivery. A delivery is read by its id and creation time,
-- which name its partition; within the partition the id finds it. The key never made an id unique
-- across partitions (a partitioned table's unique keys must hold the creation time), and Herald
-- makes every id itself (TimeOrderedIds), so the constraint guarded nothing a caller could break.
alter table deliveries drop constraint deliveries_pkey;
create index deliveries_by_id on deliveries (id);
