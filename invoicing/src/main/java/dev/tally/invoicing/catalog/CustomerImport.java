package dev.tally.invoicing.catalog;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.Problem;
import dev.tally.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A bulk import of customers as sets, not rows: every row is checked as {@link CustomerService#create} checks it (the
 * same problem for the same mistake, a claim held by an earlier row of the import refused as if that row were already
 * written), the claims of all rows looked up in one query, then the accepted rows written with one statement per table,
 * one outbox row of catalog records and one audit append — in the caller's transaction. A rejected row writes nothing.
 */
@ApplicationScoped
public class CustomerImport {
    @Inject
    CustomerService customers;
    @Inject
    DataSource dataSource;
    @Inject
    CatalogPublisher catalog;
    @Inject
    AuditLog audit;

    /** One row to import: its number, its external id as given, and the customer — or why it could not be read. */
    public record Row(int row, String externalId, CustomerService.NewCustomer customer, Problem error) {
    }

    /** A row's outcome: {@code created} (with the new ids) or {@code rejected} (with the problem). */
    public record Outcome(int row, String externalId, String outcome, String customerId, String subscriptionId, Problem error) {
    }

    /** Checks every row and, unless {@code dryRun}, writes those that pass; the outcomes in row order. */
    public List<Outcome> run(String tenantId, List<Row> rows, Instant now, String actor, boolean dryRun) throws SQLException {
        CustomerService.Lookups lookups = new CustomerService.Lookups(tenantId);
        List<CustomerService.Checked> checked = new ArrayList<>(rows.size());
        Problem[] problems = new Problem[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            CustomerService.Checked k = null;
            if (r.error() != null) {
                problems[i] = r.error();
            } else {
                try {
                    k = customers.check(tenantId, r.customer(), now, lookups);
                } catch (ProblemException e) {
                    problems[i] = e.toProblem();
                }
            }
            checked.add(k);
        }
        try (Connection c = dataSource.getConnection()) {
            checkClaims(c, tenantId, checked, problems);
            List<CustomerService.Checked> accepted = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (problems[i] == null) {
                    accepted.add(checked.get(i));
                }
            }
            if (!dryRun && !accepted.isEmpty()) {
                write(c, tenantId, accepted, actor);
            }
        }
        List<Outcome> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            CustomerService.Checked k = checked.get(i);
            out.add(problems[i] != null ? new Outcome(rows.get(i).row(), rows.get(i).externalId(), "rejected", null, null, problems[i])
                    : new Outcome(rows.get(i).row(), k.externalId(), "created", k.customerId(), k.subscription() == null ? null
                            : k.subscription().subscriptionId(), null));
        }
        return out;
    }

    /**
     * Each row's claims in order, as a create checks them: given twice in the row, held by an earlier accepted row, or
     * held by a stored customer — the first such claim rejects the row, naming its field.
     */
    private static void checkClaims(Connection c, String tenantId, List<CustomerService.Checked> checked, Problem[] problems) throws SQLException {
        Map<String, String> stored = storedOwners(c, tenantId, checked);
        Map<String, String> earlier = new HashMap<>(); // kind/value → external id of the accepted row claiming it
        for (int i = 0; i < checked.size(); i++) {
            CustomerService.Checked k = checked.get(i);
            if (k == null || problems[i] != null) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (String[] claim : k.claims()) {
                String key = claim[0] + "/" + claim[1];
                if (!seen.add(key)) {
                    problems[i] = ProblemException.badRequest("duplicate-alias", "'" + claim[1] + "' is given twice", claim[2]).toProblem();
                    break;
                }
                String owner = stored.containsKey(key) ? stored.get(key) : earlier.get(key);
                if (owner != null) {
                    problems[i] = ProblemException.conflict(claim[2].equals("externalId") ? "customer-exists" : "alias-conflict",
                            "'" + claim[1] + "' already identifies customer '" + owner + "'", claim[2]).toProblem();
                    break;
                }
            }
            if (problems[i] == null) {
                k.claims().forEach(claim -> earlier.put(claim[0] + "/" + claim[1], k.externalId()));
            }
        }
    }

    /** The stored customers (their external ids) that hold any claim of the rows, by kind/value: one query. */
    private static Map<String, String> storedOwners(Connection c, String tenantId, List<CustomerService.Checked> checked) throws SQLException {
        List<String> kinds = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (CustomerService.Checked k : checked) {
            if (k != null) {
                for (String[] claim : k.claims()) {
                    kinds.add(claim[0]);
                    values.add(claim[1]);
                }
            }
        }
        Map<String, String> out = new HashMap<>();
        if (kinds.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select a.kind, a.value, cu.external_id from customer_alias a
                join unnest(?::text[], ?::text[]) as k(kind, value) on a.kind = k.kind and a.value = k.value
                join customer cu on cu.tenant_id = a.tenant_id and cu.customer_id = a.customer_id
                where a.tenant_id = ?""")) {
            ps.setArray(1, c.createArrayOf("text", kinds.toArray()));
            ps.setArray(2, c.createArrayOf("text", values.toArray()));
            ps.setString(3, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), rs.getString(3));
                }
            }
        }
        return out;
    }

    /** The accepted rows: customers, claims, subscriptions and their first phases, one statement each; then catalog and audit. */
    private void write(Connection c, String tenantId, List<CustomerService.Checked> rows, String actor) throws SQLException {
        int n = rows.size();
        Object[][] customer = new Object[6][n];
        List<String[]> claims = new ArrayList<>();
        List<Subscription> subs = new ArrayList<>();
        List<CatalogRecordV1> records = new ArrayList<>(2 * n);
        List<AuditLog.Change> changes = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            CustomerService.Checked k = rows.get(i);
            Object[] values = {k.customerId(), k.externalId(), k.name(), k.currency(), k.email(), k.taxRegion()};
            for (int col = 0; col < values.length; col++) {
                customer[col][i] = values[col];
            }
            k.claims().forEach(claim -> claims.add(new String[] {claim[0], claim[1], k.customerId()}));
            records.add(CatalogRecordV1.of(new CatalogRecordV1.Customer(tenantId, k.customerId(), k.externalId(), k.currency(), k.aliases())));
            changes.add(new AuditLog.Change("customer", k.customerId(), "create", null, k.view(null)));
            if (k.subscription() != null) {
                subs.add(k.subscription());
                records.add(CatalogRecordV1.of(new CatalogRecordV1.SubscriptionState(tenantId, k.subscription())));
                changes.add(new AuditLog.Change("subscription", k.subscription().subscriptionId(), "create", null, k.subscription()));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into customer (tenant_id, customer_id, external_id, name, currency, billing_email, tax_region)
                select ?, * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])""")) {
            ps.setString(1, tenantId);
            for (int col = 0; col < customer.length; col++) {
                ps.setArray(col + 2, c.createArrayOf("text", customer[col]));
            }
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into customer_alias (tenant_id, kind, value, customer_id) select ?, * from unnest(?::text[], ?::text[], ?::text[])""")) {
            ps.setString(1, tenantId);
            for (int col = 0; col < 3; col++) {
                int j = col;
                ps.setArray(col + 2, c.createArrayOf("text", claims.stream().map(claim -> claim[j]).toArray()));
            }
            ps.executeUpdate();
        }
        insertSubscriptions(c, tenantId, subs);
        catalog.publishAll(records);
        audit.recordAll(tenantId, actor, changes);
    }

    private static void insertSubscriptions(Connection c, String tenantId, List<Subscription> subs) throws SQLException {
        if (subs.isEmpty()) {
            return;
        }
        int n = subs.size();
        String[] ids = new String[n];
        String[] customerIds = new String[n];
        Timestamp[] starts = new Timestamp[n];
        String[] plans = new String[n];
        Integer[] versions = new Integer[n];
        for (int i = 0; i < n; i++) {
            Subscription s = subs.get(i);
            ids[i] = s.subscriptionId();
            customerIds[i] = s.customerId();
            starts[i] = Timestamp.from(s.start());
            plans[i] = s.phases().get(0).planKey();
            versions[i] = s.phases().get(0).planVersion();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into subscription (tenant_id, subscription_id, customer_id, start_at, cycle_interval, anchor_day, anchor_month)
                select ?, * from unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::int[], ?::int[])""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("text", customerIds));
            ps.setArray(4, c.createArrayOf("timestamptz", starts));
            ps.setArray(5, c.createArrayOf("text", subs.stream().map(s -> s.cycle().interval().name()).toArray()));
            ps.setArray(6, c.createArrayOf("int4", subs.stream().map(s -> s.cycle().anchorDay()).toArray()));
            ps.setArray(7, c.createArrayOf("int4", subs.stream().map(s -> s.cycle().anchorMonth()).toArray()));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into subscription_phase (tenant_id, subscription_id, effective_at, plan_key, plan_version, reason)
                select ?, id, start_at, plan_key, plan_version, 'START'
                from unnest(?::text[], ?::timestamptz[], ?::text[], ?::int[]) as k(id, start_at, plan_key, plan_version)""")) {
            ps.setString(1, tenantId);
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("timestamptz", starts));
            ps.setArray(4, c.createArrayOf("text", plans));
            ps.setArray(5, c.createArrayOf("int4", versions));
            ps.executeUpdate();
        }
    }
}
