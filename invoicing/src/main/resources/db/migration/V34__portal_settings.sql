-- The customer portal per tenant (issue 22): the origins allowed to frame it (its frame-ancestors; none: it is not
-- framed at all) and the accent colour of its pages.
alter table tenant add column portal_frame_ancestors text[] not null default '{}';
alter table tenant add column portal_accent text check (portal_accent ~ '^#[0-9a-fA-F]{6}$');
