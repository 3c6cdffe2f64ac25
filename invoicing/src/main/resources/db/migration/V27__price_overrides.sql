-- Negotiated prices (issue 19): a customer's own price for one charge — on every plan or one (plan_key), for every
-- subscription or one (subscription_id) — from effective_from until effective_until (exclusive; null = open). A row
-- never changes but to be ended (a trigger refuses anything else, and deletes): a rate card changes by a newer override,
-- so every period is priced by the override in force when it was priced, for good — late usage of a closed period too.
create table price_override (
    tenant_id       text        not null,
    override_id     text        not null,
    customer_id     text        not null,
    subscription_id text,
    plan_key        text,
    meter_key       text        not null,
    price_json      text        not null, -- a PlanSpec.PriceSpec, validated as a plan's charge
    effective_from  timestamptz not null,
    effective_until timestamptz,
    reason          text,
    created_at      timestamptz not null default now(),
    created_by      text        not null,
    ended_by        text,
    primary key (tenant_id, override_id),
    check (effective_until is null or effective_until > effective_from)
);
create index price_override_customer on price_override (tenant_id, customer_id);

create function price_override_frozen() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' or (new.tenant_id, new.override_id, new.customer_id, new.subscription_id, new.plan_key, new.meter_key,
            new.price_json, new.effective_from, new.reason, new.created_at, new.created_by)
            is distinct from (old.tenant_id, old.override_id, old.customer_id, old.subscription_id, old.plan_key, old.meter_key,
            old.price_json, old.effective_from, old.reason, old.created_at, old.created_by) then
        raise exception 'price override % cannot change; only its end can be set', old.override_id
            using errcode = 'integrity_constraint_violation';
    end if;
    return new;
end $$;
create trigger price_override_frozen before update or delete on price_override
    for each row execute function price_override_frozen();
