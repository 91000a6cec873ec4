-- A claim writes a new version of each row it leases, and that version stays on the row's page
-- (a HOT update, touching no index) only if the page has room for it. At fillfactor 85 a page of
-- ~500-byte rows had room for about one: in a 100,000-delivery drain only 16,750 claims were HOT,
-- the rest wrote an entry into each of the seven indexes. Half-full pages leave room for every
-- row on the page to be leased once; claims of 128 took 20 ms instead of 43. The price is a
-- table up to twice the size on disk, in a table whose rows are small.
alter table deliveries set (fillfactor = 50);
