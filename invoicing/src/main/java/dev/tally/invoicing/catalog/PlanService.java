package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PlanValidator;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Plans and their versions. A version starts as a draft (editable), is published once, and from
 * then on never changes (the service refuses, and so does a database trigger). Each change, its
 * catalog announcement and its audit entry share the caller's transaction.
 */
@ApplicationScoped
public class PlanService {
    private static final TypeReference<List<String>> GROUP_BY = new TypeReference<>() { };

    @Inject
    CatalogPublisher catalog;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;
    @Inject
    ObjectMapper json;

    /** What is shown of a version. */
    public record VersionView(String plan, int version, String status, Instant createdAt, Instant publishedAt, PlanSpec spec) {
    }

    /** A new plan with its first version (draft unless {@code publish}). */
    public VersionView create(String tenantId, PlanSpec spec, boolean publish, String actor) {
        PlanSpec valid = validate(tenantId, spec, null);
        if (PlanEntity.get(tenantId, valid.key()) != null) {
            throw ProblemException.conflict("plan-exists", "a plan '" + valid.key() + "' already exists; add a version instead", "key");
        }
        PlanEntity plan = new PlanEntity();
        plan.tenantId = tenantId;
        plan.planKey = valid.key();
        plan.name = valid.name();
        plan.currency = valid.currency();
        plan.persistAndFlush();
        audit.record(tenantId, actor, "plan", valid.key(), "create", null, Map.of("name", valid.name(), "currency", valid.currency()));
        return insertVersion(tenantId, valid, 1, publish, actor);
    }

    /** The next version of an existing plan (same key and currency). */
    public VersionView addVersion(String tenantId, String planKey, PlanSpec spec, boolean publish, String actor) {
        PlanEntity plan = lockedPlan(tenantId, planKey);
        PlanSpec valid = validate(tenantId, withKey(spec, planKey), plan.currency);
        int next = PlanVersionEntity.of(tenantId, planKey).stream().mapToInt(v -> v.version).max().orElse(0) + 1;
        return insertVersion(tenantId, valid, next, publish, actor);
    }

    /** Replaces a draft version's document. */
    public VersionView updateDraft(String tenantId, String planKey, int version, PlanSpec spec, String actor) {
        PlanEntity plan = lockedPlan(tenantId, planKey);
        PlanVersionEntity v = draft(tenantId, planKey, version);
        PlanSpec valid = validate(tenantId, withKey(spec, planKey), plan.currency);
        VersionView before = view(v);
        v.specJson = text(valid);
        replaceMeters(tenantId, planKey, version, valid);
        v.flush();
        VersionView after = view(v);
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenantId, planKey, version, v.status, valid)));
        audit.record(tenantId, actor, "plan_version", planKey + "/" + version, "update", before.spec(), after.spec());
        return after;
    }

    public VersionView publish(String tenantId, String planKey, int version, Instant now, String actor) {
        PlanEntity plan = lockedPlan(tenantId, planKey);
        PlanVersionEntity v = draft(tenantId, planKey, version);
        v.status = PlanVersionEntity.PUBLISHED;
        v.publishedAt = now;
        v.flush();
        VersionView after = view(v);
        plan.name = after.spec().name(); // the plan is known by its newest published name
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenantId, planKey, version, v.status, after.spec())));
        audit.record(tenantId, actor, "plan_version", planKey + "/" + version, "publish", Map.of("status", PlanVersionEntity.DRAFT),
                Map.of("status", PlanVersionEntity.PUBLISHED, "publishedAt", now.toString()));
        return after;
    }

    public VersionView view(PlanVersionEntity v) {
        return new VersionView(v.planKey, v.version, v.status, v.createdAt, v.publishedAt, spec(v));
    }

    public PlanSpec spec(PlanVersionEntity v) {
        try {
            return json.readValue(v.specJson, PlanSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan " + v.planKey + "/" + v.version + " does not parse", e);
        }
    }

    private VersionView insertVersion(String tenantId, PlanSpec valid, int version, boolean publish, String actor) {
        PlanVersionEntity v = new PlanVersionEntity();
        v.tenantId = tenantId;
        v.planKey = valid.key();
        v.version = version;
        v.status = PlanVersionEntity.DRAFT;
        v.specJson = text(valid);
        v.persistAndFlush();
        replaceMeters(tenantId, valid.key(), version, valid);
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.PlanVersion(tenantId, valid.key(), version, v.status, valid)));
        audit.record(tenantId, actor, "plan_version", valid.key() + "/" + version, "create", null, valid);
        if (publish) {
            return publish(tenantId, valid.key(), version, clock.instant(), actor);
        }
        PlanVersionEntity.getEntityManager().refresh(v);
        return view(v);
    }

    private void replaceMeters(String tenantId, String planKey, int version, PlanSpec spec) {
        PlanVersionEntity.getEntityManager().createNativeQuery(
                "delete from plan_version_meter where tenant_id = ?1 and plan_key = ?2 and version = ?3")
                .setParameter(1, tenantId).setParameter(2, planKey).setParameter(3, version).executeUpdate();
        for (PlanSpec.ChargeSpec c : spec.charges()) {
            PlanVersionEntity.getEntityManager().createNativeQuery(
                    "insert into plan_version_meter (tenant_id, plan_key, version, meter_key) values (?1, ?2, ?3, ?4)")
                    .setParameter(1, tenantId).setParameter(2, planKey).setParameter(3, version).setParameter(4, c.meter())
                    .executeUpdate();
        }
    }

    /**
     * The published plan versions whose charges use the meter, as {@code "plan v1, other v2"}, or null when none
     * does (then what the meter counts may still change).
     */
    public String publishedVersionsCharging(String tenantId, String meterKey) {
        return (String) PlanVersionEntity.getEntityManager().createNativeQuery("""
                select string_agg(distinct v.plan_key || ' v' || v.version, ', ') from plan_version_meter pm
                join plan_version v using (tenant_id, plan_key, version)
                where pm.tenant_id = ?1 and pm.meter_key = ?2 and v.status = 'published'""")
                .setParameter(1, tenantId).setParameter(2, meterKey).getSingleResult();
    }

    private static PlanEntity lockedPlan(String tenantId, String planKey) {
        PlanEntity plan = PlanEntity.findById(new PlanEntity.Key(tenantId, planKey), LockModeType.PESSIMISTIC_WRITE);
        if (plan == null) {
            throw ProblemException.notFound("unknown-plan", "no plan '" + planKey + "'");
        }
        return plan;
    }

    private static PlanVersionEntity draft(String tenantId, String planKey, int version) {
        PlanVersionEntity v = PlanVersionEntity.get(tenantId, planKey, version);
        if (v == null) {
            throw ProblemException.notFound("unknown-plan-version", "plan '" + planKey + "' has no version " + version);
        }
        if (v.published()) {
            throw ProblemException.conflict("version-published", "plan '" + planKey + "' version " + version + " was published at "
                    + v.publishedAt + " and cannot change; add a version and migrate subscriptions to it", "version");
        }
        return v;
    }

    private static PlanSpec withKey(PlanSpec spec, String planKey) {
        if (spec == null) {
            throw ProblemException.badRequest("missing-body", "a plan document is required", null);
        }
        if (spec.key() != null && !spec.key().equals(planKey)) {
            throw ProblemException.badRequest("invalid-field", "key must be the plan's key '" + planKey + "' (or absent)", "key");
        }
        return spec.withKey(planKey);
    }

    /**
     * Every problem of the document at once (the first names the field); then the tenant's meters,
     * and the plan's currency for a new version.
     */
    private PlanSpec validate(String tenantId, PlanSpec spec, String planCurrency) {
        if (spec == null) {
            throw ProblemException.badRequest("missing-body", "a plan document is required", null);
        }
        PlanSpec s = spec.schemaVersion() == null
                ? spec.withSchemaVersion(PlanSpec.CURRENT_VERSION)
                : spec;
        PlanValidator.Result r = PlanValidator.validate(s);
        if (!r.valid()) {
            List<Problem.FieldError> errors = r.problems().stream().map(p -> new Problem.FieldError(p.field(), p.code(), p.message())).toList();
            PlanValidator.Problem first = r.problems().get(0);
            String slug = "unknown_currency".equals(first.code()) ? "unknown-currency" : "invalid-plan";
            throw new ProblemException(400, slug, "Invalid plan", first.field() + ": " + first.message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more, see errors)" : ""), first.field(), errors);
        }
        for (int i = 0; i < s.charges().size(); i++) {
            String meter = s.charges().get(i).meter();
            MeterEntity m = MeterEntity.get(tenantId, meter);
            if (m == null) {
                throw ProblemException.badRequest("unknown-meter", "no meter '" + meter + "'", "charges[" + i + "].meter");
            }
            requireGrouped(s.charges().get(i).price(), m, "charges[" + i + "].price");
            requireTransactions(s.charges().get(i).price(), m, "charges[" + i + "].price");
        }
        if (planCurrency != null && !planCurrency.equals(s.currency())) {
            throw ProblemException.badRequest("currency-change", "plan currency is " + planCurrency
                    + "; a version cannot change it (create another plan)", "currency");
        }
        return s;
    }

    /**
     * One charge's price checked as a plan's would be (a customer's price override): every problem of the price, its
     * model one rating feeds, its meter known (and grouped by a matrix's dimensions) — each field named from the
     * override's body ({@code price.unitPrice}, {@code meter}).
     */
    public void validateCharge(String tenantId, String currency, String meter, PlanSpec.PriceSpec price) {
        try {
            validate(tenantId, new PlanSpec(PlanSpec.CURRENT_VERSION, "override", "override", currency,
                    List.of(new PlanSpec.ChargeSpec(meter, null, price)), null), null);
        } catch (ProblemException e) {
            Problem p = e.toProblem();
            List<Problem.FieldError> errors = p.errors() == null ? null
                    : p.errors().stream().map(x -> new Problem.FieldError(unprefixed(x.field()), x.code(), x.message())).toList();
            throw new ProblemException(p.status(), p.type().substring(Problem.TYPE_PREFIX.length()), p.title(), unprefixed(p.detail()),
                    unprefixed(p.field()), errors);
        }
    }

    private static String unprefixed(String text) {
        return text == null ? null : text.replace("charges[0].", "");
    }

    /**
     * A percentage prices transactions: a SUM meter of their values (each event one transaction), and no per-transaction
     * minimum or maximum — those need each transaction's value, which rating does not keep.
     */
    private static void requireTransactions(PlanSpec.PriceSpec price, MeterEntity meter, String field) {
        if (!"percentage".equals(price.model())) {
            return;
        }
        if (!"SUM".equals(meter.aggregation)) {
            throw ProblemException.badRequest("percentage-needs-sum", "a percentage prices transaction values: meter '" + meter.meterKey
                    + "' must SUM them (one event per transaction), not " + meter.aggregation, field + ".model");
        }
        if (price.minimumFee() != null || price.maximumFee() != null) {
            throw ProblemException.badRequest("unsupported-model", "a per-transaction minimum or maximum fee needs each transaction's value,"
                    + " which rating does not keep yet; a charge-level minimum or maximum (minimum, maximum) is offered",
                    field + (price.minimumFee() != null ? ".minimumFee" : ".maximumFee"));
        }
    }

    /**
     * A matrix prices the meter's groups, so the meter must be grouped by every dimension the matrix names: otherwise
     * each event would silently fall to the default price. (A meter's groupBy cannot change once a published plan
     * charges it.)
     */
    private void requireGrouped(PlanSpec.PriceSpec price, MeterEntity meter, String field) {
        if (!"matrix".equals(price.model()) || price.dimensions() == null) {
            return;
        }
        List<String> groupBy;
        try {
            groupBy = json.readValue(meter.groupByJson, GROUP_BY);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored groupBy of meter " + meter.meterKey + " does not parse", e);
        }
        List<String> missing = price.dimensions().stream().filter(d -> !groupBy.contains(d)).toList();
        if (!missing.isEmpty()) {
            throw ProblemException.badRequest("matrix-dimension-not-grouped", "the matrix prices by " + price.dimensions() + " but meter '"
                    + meter.meterKey + "' is grouped by " + groupBy + ", not by " + missing + "; group the meter by them (groupBy) first",
                    field + ".dimensions");
        }
    }

    private String text(PlanSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
