-- Per grant: whether its unused balance carries over (the default, as before) or lapses when the first period it was
-- usable in closes (a "use it or lose it" monthly allowance).
alter table credit_grant add column rollover boolean not null default true;
