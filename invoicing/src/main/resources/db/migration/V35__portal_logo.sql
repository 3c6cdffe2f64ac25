-- The tenant's logo on its customer portal (issue 22): a PNG of at most 64 KiB, checked by invoicing's PortalSettings
-- (signature, size) and shown inline (data: URI), so the portal never asks another origin for it.
alter table tenant add column portal_logo bytea check (octet_length(portal_logo) <= 65536);
