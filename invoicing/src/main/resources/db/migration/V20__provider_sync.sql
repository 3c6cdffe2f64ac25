-- A third kind of provider job: bring a pushed invoice at the provider in line with Tally's (void it, lower
-- what it asks for after a credit note, mark it paid outside the provider). One row per invoice, re-armed
-- (revision + 1) by every change; a run records its outcome only if no change re-armed it meanwhile.
alter table provider_job drop constraint provider_job_kind_check;
alter table provider_job add constraint provider_job_kind_check check (kind in ('push_invoice', 'refund', 'sync_invoice'));
alter table provider_job add column revision int not null default 0;
-- a refund the provider could not make is credited back to the customer: the grant that did it
alter table refund add column credited_grant_id text;
