-- An attempt names the URL it was sent to by number. Its URL was the largest part of its row (34
-- bytes of about 112 with the README's example) and there are few of them: one a webhook, a few
-- more as webhooks move. A new attempt's url is '' and its url_id names a row of attempt_urls,
-- about 24 bytes less an attempt on disk once the row is aligned; rows written before keep their
-- url and no url_id. Only the catalogue changes: the column is added without a default, and the
-- old rows go as their days pass the retention.
--
-- The url is not null for new rows as well because a null would add a null bitmap to every row,
-- and with it 8 bytes to the row's header.
create table attempt_urls (
    id integer generated always as identity primary key,
    url text not null,
    constraint attempt_urls_url_key unique (url)
);

alter table delivery_attempts add column url_id integer;
alter table delivery_attempts alter column url_id set statistics 0;
