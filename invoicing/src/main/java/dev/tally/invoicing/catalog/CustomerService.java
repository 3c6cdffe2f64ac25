package dev.tally.invoicing.catalog;

import dev.tally.model.attribution.Aliases;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.money.Currencies;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.InvalidSubscriptionException;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Customers and their attribution aliases. Every check runs before the first write, so a refused
 * request (or import row) leaves nothing behind; the database's keys catch what races past them.
 */
@ApplicationScoped
public class CustomerService {
    private static final Pattern TAX_REGION = Pattern.compile("[A-Z]{2}(-[A-Z0-9]{1,3})?");
    /** A plausible email address (billing emails, admin users). */
    public static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}\\.[^@\\s]{1,63}");

    @Inject
    CatalogPublisher catalog;
    @Inject
    Clock clock;
    @Inject
    AuditLog audit;
    @Inject
    SubscriptionService subscriptions;

    /**
     * A new customer. {@code plan} (optional) subscribes it at once: to {@code planVersion} or the
     * latest published version, from {@code subscriptionStart} (default now), billed by calendar month.
     */
    @Schema(example = "{\"externalId\":\"acme\",\"name\":\"Acme\",\"plan\":\"gateway\",\"aliases\":{\"cidrs\":[\"198.51.100.0/24\"]}}")
    public record NewCustomer(String externalId, String name, String currency, String billingEmail, String taxRegion, String plan,
            Integer planVersion, Instant subscriptionStart, Aliases aliases) {
    }

    /** Fields a PATCH may change; absent (null) fields stay. {@code aliases} replaces the whole set. */
    public record CustomerPatch(String name, String currency, String billingEmail, String taxRegion, Aliases aliases, String externalId) {
    }

    public record CustomerView(String customerId, String externalId, String name, String currency, String billingEmail, String taxRegion,
            Aliases aliases, String subscriptionId) {
    }

    public CustomerView create(String tenantId, NewCustomer body, Instant now, String actor) {
        Checked k = check(tenantId, body, now, new Lookups(tenantId));
        checkClaims(tenantId, k.claims(), null);

        CustomerEntity c = new CustomerEntity();
        c.tenantId = tenantId;
        c.customerId = k.customerId();
        c.externalId = k.externalId();
        c.name = k.name();
        c.currency = k.currency();
        c.billingEmail = k.email();
        c.taxRegion = k.taxRegion();
        c.persistAndFlush();
        writeClaims(tenantId, c.customerId, k.claims());
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenantId, c.customerId, c.externalId, c.currency, k.aliases())));
        audit.record(tenantId, actor, "customer", c.customerId, "create", null, k.view(null));
        String subscriptionId = null;
        if (k.subscription() != null) {
            Subscription.Phase first = k.subscription().phases().get(0);
            Subscription s = subscriptions.create(tenantId, c, first.planKey(), first.planVersion(), k.subscription().start(), null,
                    BillingCycle.CALENDAR_MONTH, null, now, actor);
            subscriptionId = s.subscriptionId();
        }
        return k.view(subscriptionId);
    }

    /**
     * A new customer with every check of a create done but whether another customer holds its claims ({@link #checkClaims},
     * or an import's one query for all its rows): its id drawn, its claims (primary external id first: kind, value, field),
     * and its first subscription (null without a plan). Nothing is written.
     */
    public record Checked(String customerId, String externalId, String name, String currency, String email, String taxRegion,
            Aliases aliases, List<String[]> claims, Subscription subscription) {
        /** As the API shows it right after creation. */
        public CustomerView view(String subscriptionId) {
            return new CustomerView(customerId, externalId, name, currency, email, taxRegion, aliases, subscriptionId);
        }
    }

    /** The plans and published versions a batch of creates looks up, each read once (a refusal is remembered too). */
    public static final class Lookups {
        private final String tenantId;
        private final Map<String, Object> seen = new HashMap<>();

        public Lookups(String tenantId) {
            this.tenantId = tenantId;
        }

        PlanEntity plan(String planKey) {
            Object p = seen.computeIfAbsent("plan|" + planKey, k -> {
                PlanEntity e = PlanEntity.get(tenantId, planKey);
                return e == null ? ProblemException.badRequest("unknown-plan", "no plan '" + planKey + "'", "plan") : e;
            });
            if (p instanceof ProblemException e) {
                throw e;
            }
            return (PlanEntity) p;
        }

        PlanVersionEntity version(String planKey, Integer version, String currency) {
            Object v = seen.computeIfAbsent("version|" + planKey + "|" + version + "|" + currency, k -> {
                try {
                    return SubscriptionService.publishedVersion(tenantId, planKey, version, currency, "planVersion");
                } catch (ProblemException e) {
                    return e;
                }
            });
            if (v instanceof ProblemException e) {
                throw e;
            }
            return (PlanVersionEntity) v;
        }
    }

    /** Every check of {@link #create} that needs no other customer's row, in the order create runs them. */
    public Checked check(String tenantId, NewCustomer body, Instant now, Lookups lookups) {
        if (body == null) {
            throw ProblemException.badRequest("missing-body", "a JSON body is required", null);
        }
        String externalId = externalId(body.externalId());
        String name = name(body.name());
        String planKey = body.plan() == null || body.plan().isBlank() ? null : body.plan().trim();
        PlanEntity plan = planKey == null ? null : lookups.plan(planKey);
        String currency = body.currency() != null ? body.currency() : plan != null ? plan.currency : null;
        if (currency == null) {
            throw ProblemException.badRequest("missing-field", "currency is required when no plan is given", "currency");
        }
        if (!Currencies.isKnown(currency)) {
            throw ProblemException.badRequest("unknown-currency", "'" + currency + "' is not an ISO 4217 currency", "currency");
        }
        if (plan != null && !currency.equals(plan.currency)) {
            throw ProblemException.badRequest("currency-mismatch", "customer currency " + currency + " differs from plan currency "
                    + plan.currency, "currency");
        }
        // the subscription's own check, before anything is written
        PlanVersionEntity version = plan == null ? null : lookups.version(planKey, body.planVersion(), currency);
        Instant subscriptionStart = body.subscriptionStart() == null ? now : body.subscriptionStart();
        String email = email(body.billingEmail());
        String taxRegion = taxRegion(body.taxRegion());
        Aliases aliases = aliases(tenantId, body.aliases());
        List<String[]> claims = claims(externalId, aliases);
        String customerId = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Subscription first = null;
        if (version != null) {
            try {
                first = new Subscription("sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16), customerId, subscriptionStart,
                        null, BillingCycle.CALENDAR_MONTH, null, List.of(new Subscription.Phase(subscriptionStart, planKey, version.version,
                                Subscription.Reason.START, null)));
            } catch (InvalidSubscriptionException e) {
                throw ProblemException.badRequest("invalid-subscription", e.getMessage(), e.field());
            }
        }
        return new Checked(customerId, externalId, name, currency, email, taxRegion, aliases, claims, first);
    }

    public CustomerView update(String tenantId, String externalId, CustomerPatch patch, String actor) {
        if (patch == null) {
            throw ProblemException.badRequest("missing-body", "a JSON body is required", null);
        }
        CustomerEntity c = byExternalId(tenantId, externalId);
        if (patch.currency() != null && !patch.currency().equals(c.currency)) {
            throw ProblemException.badRequest("immutable-field", "a customer's currency cannot change (its invoices are in "
                    + c.currency + "); create a new customer", "currency");
        }
        if (patch.externalId() != null && !patch.externalId().equals(c.externalId)) {
            throw ProblemException.badRequest("immutable-field", "externalId identifies the customer and cannot change; add the new id"
                    + " to aliases.externalIds instead", "externalId");
        }
        String name = patch.name() == null ? c.name : name(patch.name());
        String email = patch.billingEmail() == null ? c.billingEmail : email(patch.billingEmail());
        String taxRegion = patch.taxRegion() == null ? c.taxRegion : taxRegion(patch.taxRegion());
        Aliases current = currentAliases(tenantId, c);
        Aliases aliases = patch.aliases() == null ? current : aliases(tenantId, patch.aliases());
        List<String[]> claims = claims(c.externalId, aliases);
        checkClaims(tenantId, claims, c.customerId);

        CustomerView before = view(c, current);
        c.name = name;
        c.billingEmail = email;
        c.taxRegion = taxRegion;
        // delete the managed rows (a bulk delete would leave them in the persistence context)
        CustomerAliasEntity.<CustomerAliasEntity>list("tenantId = ?1 and customerId = ?2", tenantId, c.customerId)
                .forEach(CustomerAliasEntity::delete);
        CustomerAliasEntity.flush();
        writeClaims(tenantId, c.customerId, claims);
        c.flush();
        CustomerView after = view(c, aliases);
        catalog.publish(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenantId, c.customerId, c.externalId, c.currency, aliases)));
        audit.record(tenantId, actor, "customer", c.customerId, "update", before, after);
        return after;
    }

    public CustomerView get(String tenantId, String externalId) {
        return view(byExternalId(tenantId, externalId));
    }

    /** The customer as shown: with its aliases and current subscription. */
    public CustomerView view(CustomerEntity c) {
        return view(c, currentAliases(c.tenantId, c));
    }

    public static CustomerEntity byExternalId(String tenantId, String externalId) {
        CustomerEntity c = CustomerEntity.byExternalId(tenantId, externalId);
        if (c == null) {
            throw ProblemException.notFound("unknown-customer", "no customer with externalId '" + externalId + "'");
        }
        return c;
    }

    /** For bodies that name a customer: an unknown one is a bad field, not a missing resource. */
    public static CustomerEntity byExternalIdOr400(String tenantId, String externalId) {
        CustomerEntity c = CustomerEntity.byExternalId(tenantId, externalId);
        if (c == null) {
            throw ProblemException.badRequest("unknown-customer", "no customer with externalId '" + externalId + "'", "customer");
        }
        return c;
    }

    private CustomerView view(CustomerEntity c, Aliases aliases) {
        Subscription s = SubscriptionService.activeAt(c.tenantId, c.customerId, clock.instant());
        return new CustomerView(c.customerId, c.externalId, c.name, c.currency, c.billingEmail, c.taxRegion, aliases,
                s == null ? null : s.subscriptionId());
    }

    /** The stored aliases (everything but the primary external id). */
    private static Aliases currentAliases(String tenantId, CustomerEntity c) {
        List<String> ids = new ArrayList<>();
        List<String> cidrs = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (CustomerAliasEntity a : CustomerAliasEntity.<CustomerAliasEntity>list("tenantId = ?1 and customerId = ?2 order by kind, value",
                tenantId, c.customerId)) {
            switch (a.kind) {
                case "external_id" -> {
                    if (!a.value.equals(c.externalId)) {
                        ids.add(a.value);
                    }
                }
                case "cidr" -> cidrs.add(a.value);
                case "api_key" -> keys.add(a.value);
                case "hostname" -> hosts.add(a.value);
                default -> throw new IllegalStateException(a.kind);
            }
        }
        return new Aliases(ids, cidrs, keys, hosts);
    }

    private static Aliases aliases(String tenantId, Aliases given) {
        Aliases aliases;
        try {
            aliases = (given == null ? Aliases.NONE : given).normalized();
        } catch (Aliases.AliasException e) {
            throw ProblemException.badRequest("invalid-alias", e.problem().message(), e.problem().field());
        }
        for (int i = 0; i < aliases.apiKeyIds().size(); i++) {
            ApiKeyEntity key = ApiKeyEntity.findById(aliases.apiKeyIds().get(i));
            if (key == null || !key.tenantId.equals(tenantId)) {
                throw ProblemException.badRequest("unknown-api-key", "no API key '" + aliases.apiKeyIds().get(i) + "' in this tenant",
                        "aliases.apiKeyIds[" + i + "]");
            }
        }
        return aliases;
    }

    /** Every claim, primary external id first: {kind, value, field}. */
    private static List<String[]> claims(String externalId, Aliases aliases) {
        List<String[]> claims = new ArrayList<>();
        claims.add(new String[] {"external_id", externalId, "externalId"});
        add(claims, "external_id", aliases.externalIds(), "aliases.externalIds");
        add(claims, "cidr", aliases.cidrs(), "aliases.cidrs");
        add(claims, "api_key", aliases.apiKeyIds(), "aliases.apiKeyIds");
        add(claims, "hostname", aliases.hostnames(), "aliases.hostnames");
        return claims;
    }

    private static void add(List<String[]> claims, String kind, List<String> values, String field) {
        for (int i = 0; i < values.size(); i++) {
            claims.add(new String[] {kind, values.get(i), field + "[" + i + "]"});
        }
    }

    /** A claim given twice, or held by another customer than {@code self}, is refused naming its field. */
    private static void checkClaims(String tenantId, List<String[]> claims, String self) {
        Set<String> seen = new HashSet<>();
        for (String[] claim : claims) {
            if (!seen.add(claim[0] + "/" + claim[1])) {
                throw ProblemException.badRequest("duplicate-alias", "'" + claim[1] + "' is given twice", claim[2]);
            }
            CustomerAliasEntity owner = CustomerAliasEntity.get(tenantId, claim[0], claim[1]);
            if (owner != null && !owner.customerId.equals(self)) {
                CustomerEntity other = CustomerEntity.findById(new CustomerEntity.Key(tenantId, owner.customerId));
                throw ProblemException.conflict(claim[2].equals("externalId") ? "customer-exists" : "alias-conflict",
                        "'" + claim[1] + "' already identifies customer '" + other.externalId + "'", claim[2]);
            }
        }
    }

    private static void writeClaims(String tenantId, String customerId, List<String[]> claims) {
        for (String[] claim : claims) {
            CustomerAliasEntity alias = new CustomerAliasEntity();
            alias.tenantId = tenantId;
            alias.kind = claim[0];
            alias.value = claim[1];
            alias.customerId = customerId;
            alias.persist();
        }
        CustomerAliasEntity.flush();
    }

    private static String externalId(String value) {
        String id = required(value, "externalId");
        if (id.length() > 128) {
            throw ProblemException.badRequest("invalid-field", "externalId is longer than 128 characters", "externalId");
        }
        return id;
    }

    /** A customer's name: 1 to 200 characters. */
    private static String name(String value) {
        String name = required(value, "name");
        if (name.length() > 200) {
            throw ProblemException.badRequest("invalid-field", "name: at most 200 characters", "name");
        }
        return name;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest("missing-field", field + " is required", field);
        }
        return value.trim();
    }

    private static String email(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String e = value.trim();
        if (e.length() > 254 || !EMAIL.matcher(e).matches()) {
            throw ProblemException.badRequest("invalid-field", "billingEmail '" + e + "' is not an email address", "billingEmail");
        }
        return e;
    }

    private static String taxRegion(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String r = value.trim().toUpperCase(Locale.ROOT);
        if (!TAX_REGION.matcher(r).matches()) {
            throw ProblemException.badRequest("invalid-field", "taxRegion is an ISO 3166 code like DE or US-CA, was '" + value + "'",
                    "taxRegion");
        }
        return r;
    }
}
