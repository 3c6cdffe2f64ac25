package dev.tally.invoicing.catalog;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.InvalidSubscriptionException;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Subscriptions and their phases. Changes take effect now or later, never in the past (past periods
 * are corrected with credit notes, not by rewriting what was in force). A customer's subscriptions
 * never overlap; the customer row is locked while that is checked.
 */
@ApplicationScoped
public class SubscriptionService {
    /** How far in the past "now" may be, for clients whose clocks run slightly behind. */
    public static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    @Inject
    CatalogPublisher catalog;
    @Inject
    AuditLog audit;

    /** One subscription's outcome in a plan migration. */
    public record MigrationOutcome(String subscriptionId, String customerId, String outcome, String reason) {
    }

    public record MigrationResult(String migrationId, String plan, int toVersion, Instant effectiveAt, int migrated, int skipped,
            List<MigrationOutcome> subscriptions) {
    }

    public Subscription create(String tenantId, CustomerEntity customer, String planKey, Integer version, Instant start, Instant end,
            BillingCycle cycle, Instant trialEnd, Instant now, String actor) {
        CustomerEntity.findById(new CustomerEntity.Key(tenantId, customer.customerId), LockModeType.PESSIMISTIC_WRITE);
        PlanVersionEntity v = publishedVersion(tenantId, planKey, version, customer.currency);
        Subscription s;
        try {
            s = new Subscription("sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16), customer.customerId, start, end,
                    cycle, trialEnd, List.of(new Subscription.Phase(start, planKey, v.version, Subscription.Reason.START, null)));
        } catch (InvalidSubscriptionException e) {
            throw ProblemException.badRequest("invalid-subscription", e.getMessage(), e.field());
        }
        for (SubscriptionEntity existing : SubscriptionEntity.ofCustomer(tenantId, customer.customerId)) {
            Subscription other = load(existing);
            if (s.overlaps(other)) {
                throw ProblemException.conflict("subscription-overlap", "customer '" + customer.externalId + "' already has subscription "
                        + other.subscriptionId() + " from " + other.start() + (other.end() == null ? " (open-ended)" : " to " + other.end())
                        + "; end it first", "start");
            }
        }
        SubscriptionEntity e = new SubscriptionEntity();
        e.tenantId = tenantId;
        e.subscriptionId = s.subscriptionId();
        e.customerId = customer.customerId;
        e.startAt = start;
        e.endAt = end;
        e.cycleInterval = cycle.interval().name();
        e.anchorDay = cycle.anchorDay();
        e.anchorMonth = cycle.anchorMonth();
        e.trialEnd = trialEnd;
        e.persistAndFlush();
        insertPhase(tenantId, s.subscriptionId(), s.phases().get(0));
        announce(tenantId, s);
        audit.record(tenantId, actor, "subscription", s.subscriptionId(), "create", null, s);
        return s;
    }

    /** An upgrade or downgrade from {@code effectiveAt} (now or later); {@code planKey} null keeps the plan in force then. */
    public Subscription change(String tenantId, String subscriptionId, String planKey, Integer version, Instant effectiveAt, Instant now,
            String actor) {
        SubscriptionEntity e = locked(tenantId, subscriptionId);
        CustomerEntity customer = CustomerEntity.findById(new CustomerEntity.Key(tenantId, e.customerId));
        notInThePast(effectiveAt, now, "effectiveAt");
        Subscription before = load(e);
        if (planKey == null) { // a new version of the plan in force then
            planKey = before.phaseAt(effectiveAt).map(Subscription.Phase::planKey).orElseThrow(() -> ProblemException.badRequest(
                    "missing-field", "plan is required: the subscription has no plan at " + effectiveAt, "plan"));
        }
        PlanVersionEntity v = publishedVersion(tenantId, planKey, version, customer.currency);
        Subscription after = addPhase(before, new Subscription.Phase(effectiveAt, planKey, v.version, Subscription.Reason.CHANGE, null));
        insertPhase(tenantId, subscriptionId, after.phaseAt(effectiveAt).orElseThrow());
        announce(tenantId, after);
        audit.record(tenantId, actor, "subscription", subscriptionId, "change", before, after);
        return after;
    }

    /** Ends the subscription at {@code at} (now or later); phases scheduled from then on are dropped, and the audit entry lists them. */
    public Subscription cancel(String tenantId, String subscriptionId, Instant at, Instant now, String actor) {
        SubscriptionEntity e = locked(tenantId, subscriptionId);
        notInThePast(at, now, "at");
        Subscription before = load(e);
        if (before.end() != null && !at.isBefore(before.end())) {
            throw ProblemException.conflict("already-ending", "subscription already ends at " + before.end(), "at");
        }
        if (!at.isAfter(before.start())) {
            throw ProblemException.badRequest("invalid-subscription", "at must be after the start (" + before.start() + ")", "at");
        }
        List<Subscription.Phase> kept = before.phases().stream().filter(p -> p.effectiveAt().isBefore(at)).toList();
        SubscriptionPhaseEntity.delete("tenantId = ?1 and subscriptionId = ?2 and effectiveAt >= ?3", tenantId, subscriptionId, at);
        e.endAt = at;
        Instant trialEnd = before.trialEnd() != null && before.trialEnd().isAfter(at) ? at : before.trialEnd();
        e.trialEnd = trialEnd;
        e.flush();
        Subscription after = new Subscription(before.subscriptionId(), before.customerId(), before.start(), at, before.cycle(), trialEnd, kept);
        announce(tenantId, after);
        audit.record(tenantId, actor, "subscription", subscriptionId, "cancel", before, after);
        return after;
    }

    /**
     * Moves the plan's subscriptions to {@code toVersion} from {@code effectiveAt}. Every subscription
     * that ever used the plan gets an outcome — migrated, or skipped with the reason — in the answer
     * and in the audit trail; none is passed over silently.
     */
    public MigrationResult migrate(String tenantId, String planKey, int toVersion, Instant effectiveAt, List<Integer> fromVersions,
            Instant now, String actor) {
        PlanEntity plan = PlanEntity.findById(new PlanEntity.Key(tenantId, planKey), LockModeType.PESSIMISTIC_WRITE);
        if (plan == null) {
            throw ProblemException.notFound("unknown-plan", "no plan '" + planKey + "'");
        }
        PlanVersionEntity target = PlanVersionEntity.get(tenantId, planKey, toVersion);
        if (target == null) {
            throw ProblemException.notFound("unknown-plan-version", "plan '" + planKey + "' has no version " + toVersion);
        }
        if (!target.published()) {
            throw ProblemException.badRequest("version-not-published", "plan '" + planKey + "' version " + toVersion
                    + " is a draft; publish it before migrating to it", "version");
        }
        notInThePast(effectiveAt, now, "effectiveAt");
        PlanMigrationEntity m = new PlanMigrationEntity();
        m.tenantId = tenantId;
        m.migrationId = "mig_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        m.planKey = planKey;
        m.toVersion = toVersion;
        m.effectiveAt = effectiveAt;
        m.actor = actor;
        m.persistAndFlush();
        @SuppressWarnings("unchecked")
        List<String> ids = SubscriptionPhaseEntity.getEntityManager().createNativeQuery("""
                select distinct s.subscription_id from subscription s join subscription_phase p
                  on p.tenant_id = s.tenant_id and p.subscription_id = s.subscription_id
                where s.tenant_id = ?1 and p.plan_key = ?2 order by 1""").setParameter(1, tenantId).setParameter(2, planKey).getResultList();
        List<MigrationOutcome> outcomes = new ArrayList<>();
        int migrated = 0;
        for (String id : ids) {
            SubscriptionEntity e = locked(tenantId, id);
            Subscription before = load(e);
            String skip = skipReason(before, planKey, toVersion, effectiveAt, fromVersions);
            if (skip != null) {
                outcomes.add(new MigrationOutcome(id, e.customerId, "skipped", skip));
                continue;
            }
            Subscription after = addPhase(before, new Subscription.Phase(effectiveAt, planKey, toVersion, Subscription.Reason.MIGRATION,
                    m.migrationId));
            insertPhase(tenantId, id, after.phaseAt(effectiveAt).orElseThrow());
            announce(tenantId, after);
            audit.record(tenantId, actor, "subscription", id, "migrate", before, after);
            outcomes.add(new MigrationOutcome(id, e.customerId, "migrated", null));
            migrated++;
        }
        MigrationResult result = new MigrationResult(m.migrationId, planKey, toVersion, effectiveAt, migrated, outcomes.size() - migrated,
                outcomes);
        audit.record(tenantId, actor, "plan_migration", m.migrationId, "create", null, result);
        return result;
    }

    private static String skipReason(Subscription s, String planKey, int toVersion, Instant effectiveAt, List<Integer> fromVersions) {
        Subscription.Phase current = s.phaseAt(effectiveAt).orElse(null);
        if (current == null) {
            return "not active at " + effectiveAt;
        }
        if (!current.planKey().equals(planKey)) {
            return "on plan '" + current.planKey() + "' at " + effectiveAt;
        }
        if (current.planVersion() >= toVersion) {
            return "already on version " + current.planVersion();
        }
        if (fromVersions != null && !fromVersions.isEmpty() && !fromVersions.contains(current.planVersion())) {
            return "on version " + current.planVersion() + ", not one of " + fromVersions;
        }
        for (Subscription.Phase p : s.phases()) {
            if (!p.effectiveAt().isBefore(effectiveAt)) {
                return "has a change scheduled at " + p.effectiveAt() + " (to " + p.planKey() + " v" + p.planVersion() + ")";
            }
        }
        return null;
    }

    /** The tenant's subscriptions as the pure model sees them, their phases read in one query. */
    /** The subscriptions {@code ids} of the tenant (a few: one query for them, one for their phases). */
    public static List<Subscription> loadAll(String tenantId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<SubscriptionEntity> entities = SubscriptionEntity.list("tenantId = ?1 and subscriptionId in ?2", tenantId, ids);
        return build(entities, SubscriptionPhaseEntity.<SubscriptionPhaseEntity>list(
                "tenantId = ?1 and subscriptionId in ?2 order by effectiveAt", tenantId, ids));
    }

    public static List<Subscription> loadAll(String tenantId, List<SubscriptionEntity> entities) {
        return build(entities, SubscriptionPhaseEntity.<SubscriptionPhaseEntity>list("tenantId = ?1 order by effectiveAt", tenantId));
    }

    private static List<Subscription> build(List<SubscriptionEntity> entities, List<SubscriptionPhaseEntity> all) {
        Map<String, List<Subscription.Phase>> phases = new HashMap<>();
        for (SubscriptionPhaseEntity p : all) {
            phases.computeIfAbsent(p.subscriptionId, k -> new ArrayList<>())
                    .add(new Subscription.Phase(p.effectiveAt, p.planKey, p.planVersion, Subscription.Reason.valueOf(p.reason), p.migrationId));
        }
        List<Subscription> out = new ArrayList<>(entities.size());
        for (SubscriptionEntity e : entities) {
            out.add(new Subscription(e.subscriptionId, e.customerId, e.startAt, e.endAt, new BillingCycle(
                    BillingCycle.Interval.valueOf(e.cycleInterval), e.anchorDay, e.anchorMonth), e.trialEnd,
                    phases.getOrDefault(e.subscriptionId, List.of())));
        }
        return out;
    }

    /** The subscription as the pure model sees it. */
    public static Subscription load(SubscriptionEntity e) {
        List<Subscription.Phase> phases = SubscriptionPhaseEntity.of(e.tenantId, e.subscriptionId).stream()
                .map(p -> new Subscription.Phase(p.effectiveAt, p.planKey, p.planVersion, Subscription.Reason.valueOf(p.reason), p.migrationId))
                .toList();
        return new Subscription(e.subscriptionId, e.customerId, e.startAt, e.endAt, new BillingCycle(
                BillingCycle.Interval.valueOf(e.cycleInterval), e.anchorDay, e.anchorMonth), e.trialEnd, phases);
    }

    /** The customer's subscription active at {@code at}, or null. */
    public static Subscription activeAt(String tenantId, String customerId, Instant at) {
        for (SubscriptionEntity e : SubscriptionEntity.ofCustomer(tenantId, customerId)) {
            Subscription s = load(e);
            if (s.activeAt(at)) {
                return s;
            }
        }
        return null;
    }

    private static Subscription addPhase(Subscription s, Subscription.Phase phase) {
        try {
            return s.withPhase(phase);
        } catch (InvalidSubscriptionException e) {
            throw ProblemException.badRequest("invalid-subscription", e.getMessage(), "effectiveAt");
        }
    }

    private static PlanVersionEntity publishedVersion(String tenantId, String planKey, Integer version, String currency) {
        return publishedVersion(tenantId, planKey, version, currency, "version");
    }

    /**
     * The version a subscription may be put on: {@code version}, or the latest published one; refused
     * (naming {@code "plan"} or {@code versionField}) if the plan is missing, in another currency, or the
     * version is missing or a draft.
     */
    static PlanVersionEntity publishedVersion(String tenantId, String planKey, Integer version, String currency, String versionField) {
        PlanEntity plan = PlanEntity.get(tenantId, planKey);
        if (plan == null) {
            throw ProblemException.badRequest("unknown-plan", "no plan '" + planKey + "'", "plan");
        }
        if (!plan.currency.equals(currency)) {
            throw ProblemException.badRequest("currency-mismatch", "plan '" + planKey + "' bills in " + plan.currency
                    + " but the customer in " + currency, "plan");
        }
        PlanVersionEntity v = version == null ? PlanVersionEntity.latestPublished(tenantId, planKey)
                : PlanVersionEntity.get(tenantId, planKey, version);
        if (version == null && v == null) {
            throw ProblemException.badRequest("version-not-published", "plan '" + planKey + "' has no published version yet", "plan");
        }
        if (v == null) {
            throw ProblemException.badRequest("unknown-plan-version", "plan '" + planKey + "' has no version " + version, versionField);
        }
        if (!v.published()) {
            throw ProblemException.badRequest("version-not-published", "plan '" + planKey + "' version " + v.version
                    + " is a draft; only published versions can be subscribed to", versionField);
        }
        return v;
    }

    private static SubscriptionEntity locked(String tenantId, String subscriptionId) {
        SubscriptionEntity e = SubscriptionEntity.findById(new SubscriptionEntity.Key(tenantId, subscriptionId), LockModeType.PESSIMISTIC_WRITE);
        if (e == null) {
            throw ProblemException.notFound("unknown-subscription", "no subscription '" + subscriptionId + "'");
        }
        return e;
    }

    private static void notInThePast(Instant at, Instant now, String field) {
        if (at.isBefore(now.minus(CLOCK_SLACK))) {
            throw ProblemException.badRequest("retroactive-change", field + " " + at + " is in the past; changes take effect now or later"
                    + " (past periods are corrected with credit notes)", field);
        }
    }

    private static void insertPhase(String tenantId, String subscriptionId, Subscription.Phase p) {
        SubscriptionPhaseEntity e = new SubscriptionPhaseEntity();
        e.tenantId = tenantId;
        e.subscriptionId = subscriptionId;
        e.effectiveAt = p.effectiveAt();
        e.planKey = p.planKey();
        e.planVersion = p.planVersion();
        e.reason = p.reason().name();
        e.migrationId = p.migrationId();
        e.persistAndFlush();
    }

    private void announce(String tenantId, Subscription s) {
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenantId, s)));
    }
}
