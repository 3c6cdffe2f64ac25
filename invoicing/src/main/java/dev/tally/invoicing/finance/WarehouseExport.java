package dev.tally.invoicing.finance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.invoicing.archive.ArchiveStore;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import dev.tally.platform.problem.ProblemException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The scheduled export to a warehouse (issue 24, docs/finance.md): per tenant and finished UTC day, the billing facts of
 * that day as Parquet files — {@code invoices} finalized that day, their {@code invoice_lines}, {@code invoice_status}
 * changes (paid, void) made that day, {@code credit_notes} issued that day — and a {@code manifest.json} naming each
 * file with its rows and SHA-256, under {@code tenant=<id>/day=<date>/}. A day's facts never change once it is over, so
 * its files are the same whenever they are written.
 * <p>
 * Exactly once: the files, then the manifest, each staged and made visible whole ({@link ObjectStore#put}: moved into
 * place atomically in a directory, one PUT in object storage); then one transaction inserts the day's {@code warehouse_export} row. A day is exported exactly when its row exists: a
 * crash before the commit leaves files the next round writes again, identically; a day with its row is skipped. A re-run
 * ({@code force}) rewrites the same rows and the same manifest. Instances take a tenant under a PostgreSQL advisory lock,
 * so two never export it at once.
 */
@ApplicationScoped
public class WarehouseExport {
    private static final Logger LOG = Logger.getLogger(WarehouseExport.class);
    private static final String PARAMS = "with p as (select ?::text as t, ?::timestamptz as a, ?::timestamptz as b) ";

    @Inject
    DataSource dataSource;
    @Inject
    InvoicingConfig config;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;
    @Inject
    Storage storage;

    /** One exported file: its table, path under the export's root, rows and SHA-256 (hex). */
    public record File(String table, String path, long rows, String sha256) {
    }

    /** A tenant's exported day: its manifest's path and files. */
    public record Day(String tenantId, LocalDate day, String manifest, List<File> files, boolean exportedNow) {
    }

    /** A table of the export: its name, DuckDB columns and the PostgreSQL query of one tenant's day (parameters: {@link #PARAMS}). */
    private record Table(String name, String columns, String query) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("invoices", "invoice_id varchar, number varchar, customer varchar, customer_id varchar, subscription_id varchar, kind varchar,"
                    + " plan varchar, period_start timestamp, period_end timestamp, currency varchar, subtotal decimal(38, 9), tax decimal(38, 9),"
                    + " total decimal(38, 9), credits_applied decimal(38, 9), amount_due decimal(38, 9), finalized_at timestamp, finalized_by varchar,"
                    + " reissue_of varchar", PARAMS + """
                    select i.invoice_id, i.number, c.external_id, i.customer_id, i.subscription_id, i.kind, d.doc->>'plan', i.period_start,
                           i.period_end, i.currency, (d.doc->>'subtotal')::numeric, coalesce((d.doc->'tax'->>'tax')::numeric, 0), i.total,
                           coalesce((d.doc->>'creditsApplied')::numeric, 0), coalesce((d.doc->>'amountDue')::numeric, i.total), i.finalized_at,
                           i.finalized_by, i.reissue_of
                    from p, invoice i join customer c on c.tenant_id = i.tenant_id and c.customer_id = i.customer_id
                         cross join lateral (select i.document::jsonb as doc) d
                    where i.tenant_id = p.t and i.finalized_at >= p.a and i.finalized_at < p.b order by i.finalized_at, i.invoice_id"""),
            new Table("invoice_lines", "invoice_id varchar, line_type varchar, position bigint, meter varchar, description varchar, quantity varchar,"
                    + " event_count bigint, amount decimal(38, 9)", PARAMS + """
                    , inv as (select i.invoice_id, i.document::jsonb as doc from p, invoice i
                              where i.tenant_id = p.t and i.finalized_at >= p.a and i.finalized_at < p.b)
                    select * from (
                      select invoice_id, 'usage' as line_type, l.n, l.v->>'meter', l.v->>'description', l.v->>'quantity', (l.v->>'eventCount')::bigint,
                             (l.v->>'amount')::numeric
                      from inv cross join lateral jsonb_array_elements(coalesce(doc->'lines', '[]'::jsonb)) with ordinality l(v, n)
                      union all
                      select invoice_id, 'term', t.n, t.v->>'key', t.v->>'description', null, null, (t.v->>'amount')::numeric
                      from inv cross join lateral jsonb_array_elements(coalesce(doc->'terms', '[]'::jsonb)) with ordinality t(v, n)
                      union all
                      select invoice_id, 'adjustment', a.n, a.v->>'meter', a.v->>'description', a.v->>'quantityAfter',
                             (a.v->>'eventCountAfter')::bigint, (a.v->>'amount')::numeric
                      from inv cross join lateral jsonb_array_elements(coalesce(doc->'adjustments', '[]'::jsonb)) with ordinality a(v, n)) x
                    order by 1, 2, 3"""),
            new Table("invoice_status", "invoice_id varchar, status varchar, changed_at timestamp, detail varchar, by_whom varchar", PARAMS + """
                    select * from (
                      select i.invoice_id, 'paid' as status, i.paid_at as at, i.payment_reference, null as by_whom from p, invoice i
                      where i.tenant_id = p.t and i.paid_at >= p.a and i.paid_at < p.b
                      union all
                      select i.invoice_id, 'void', i.voided_at, i.void_reason, i.voided_by from p, invoice i
                      where i.tenant_id = p.t and i.voided_at >= p.a and i.voided_at < p.b) x
                    order by 3, 1, 2"""),
            new Table("credit_notes", "credit_note_id varchar, number varchar, invoice_id varchar, customer varchar, currency varchar,"
                    + " subtotal decimal(38, 9), tax decimal(38, 9), total decimal(38, 9), applied_to_due decimal(38, 9), refunded decimal(38, 9),"
                    + " credited decimal(38, 9), reason varchar, source varchar, settle_to varchar, issued_at timestamp", PARAMS + """
                    select n.credit_note_id, n.number, n.invoice_id, c.external_id, n.currency, n.subtotal, n.tax, n.total, n.applied_to_due,
                           n.refunded, n.credited, n.reason, n.source, n.settle_to, n.issued_at
                    from p, credit_note n join customer c on c.tenant_id = n.tenant_id and c.customer_id = n.customer_id
                    where n.tenant_id = p.t and n.status = 'issued' and n.issued_at >= p.a and n.issued_at < p.b
                    order by n.issued_at, n.credit_note_id"""));

    /** The table names, in the manifest's order. */
    public static List<String> tables() {
        return TABLES.stream().map(Table::name).toList();
    }

    @Scheduled(every = "${tally.warehouse.every:1h}", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!config.warehouse().enabled()) {
            return;
        }
        try {
            int days = exportDue("schedule");
            if (days > 0) {
                LOG.infof("warehouse export: %d tenant-days exported", days);
            }
        } catch (Exception e) {
            LOG.warnf("warehouse export failed, retrying next round: %s", e.getMessage());
        }
    }

    /**
     * Every tenant's finished days not exported yet: from the day after its last exported day (or its first invoice's
     * day) up to the last day that ended at least {@code tally.warehouse.settle} ago. Returns how many days it exported.
     */
    public int exportDue(String actor) throws Exception {
        LocalDate last = LocalDate.ofInstant(clock.instant().minus(config.warehouse().settle()), ZoneOffset.UTC).minusDays(1);
        int exported = 0;
        for (String[] t : pending()) {
            LocalDate from = t[1] != null ? LocalDate.parse(t[1]).plusDays(1) : t[2] != null ? LocalDate.parse(t[2]) : null;
            for (LocalDate d = from; d != null && !d.isAfter(last); d = d.plusDays(1)) {
                if (export(t[0], d, false, actor).exportedNow()) {
                    exported++;
                }
            }
        }
        return exported;
    }

    /** Tenants with their last exported day and their first invoice's day (either may be null). */
    private List<String[]> pending() throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                select t.tenant_id, (select max(day) from warehouse_export w where w.tenant_id = t.tenant_id)::text,
                       (select min(finalized_at) from invoice i where i.tenant_id = t.tenant_id)::date::text
                from tenant t order by t.tenant_id""")) {
            while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        return out;
    }

    /**
     * Exports {@code tenantId}'s {@code day}: skipped when its row exists unless {@code force} (a re-run writes the same
     * files and manifest again and records who re-ran it). The caller decides whether the day is over.
     */
    public Day export(String tenantId, LocalDate day, boolean force, String actor) throws Exception {
        ObjectStore root = storage.warehouse();
        String dir = ArchiveStore.directory(tenantId, day);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from tenant where tenant_id = ?")) {
                ps.setString(1, tenantId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ProblemException.notFound("tenant-not-found", "no tenant " + tenantId);
                    }
                }
            }
            if (!lock(c, tenantId)) {
                throw ProblemException.conflict("export-running", "another instance is exporting tenant " + tenantId + " now", null);
            }
            try {
                Day done = exported(c, tenantId, day);
                if (done != null && !force) {
                    return done;
                }
                List<File> files = new ArrayList<>();
                for (Table t : TABLES) {
                    files.add(write(c, t, tenantId, day, root, dir + "/" + t.name() + ".parquet"));
                }
                String manifest = dir + "/manifest.json";
                ObjectNode m = json.createObjectNode().put("tenantId", tenantId).put("day", day.toString()).put("format", "parquet")
                        .put("schemaVersion", 1);
                ArrayNode list = m.putArray("files");
                files.forEach(f -> list.addObject().put("table", f.table()).put("path", f.path()).put("rows", f.rows()).put("sha256", f.sha256()));
                place(root, manifest, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
                record(c, tenantId, day, manifest, list.toString(), actor);
                return new Day(tenantId, day, manifest, files, true);
            } finally {
                unlock(c, tenantId);
            }
        }
    }

    /** The day's row, or null. */
    private Day exported(Connection c, String tenantId, LocalDate day) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select manifest, files::text from warehouse_export where tenant_id = ? and day = ?")) {
            ps.setString(1, tenantId);
            ps.setObject(2, day);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<File> files = new ArrayList<>();
                for (var f : json.readTree(rs.getString(2))) {
                    files.add(new File(f.path("table").asText(), f.path("path").asText(), f.path("rows").asLong(), f.path("sha256").asText()));
                }
                return new Day(tenantId, day, rs.getString(1), files, false);
            }
        }
    }

    /** The day's row, in one statement (its own transaction): the day is exported from here on. */
    private static void record(Connection c, String tenantId, LocalDate day, String manifest, String files, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into warehouse_export (tenant_id, day, manifest, files, exported_at, exported_by) values (?, ?, ?, ?::jsonb, now(), ?)
                on conflict (tenant_id, day) do update set manifest = excluded.manifest, files = excluded.files, exported_at = excluded.exported_at,
                  exported_by = excluded.exported_by""")) {
            ps.setString(1, tenantId);
            ps.setObject(2, day);
            ps.setString(3, manifest);
            ps.setString(4, files);
            ps.setString(5, actor);
            ps.executeUpdate();
        }
    }

    /** One table's rows of the day into a Parquet file (by an in-memory DuckDB), placed atomically; its rows and hash. */
    private File write(Connection pg, Table t, String tenantId, LocalDate day, ObjectStore root, String path) throws Exception {
        Path staged = root.staging(path); // DuckDB writes the file there, and it is hashed and put from there
        try {
            long rows = copy(pg, t, tenantId, day, staged);
            String sha256 = HexFormat.of().formatHex(sha256(staged));
            root.put(staged, path, () -> { });
            return new File(t.name(), path, rows, sha256);
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    /** One table's rows of the day into the new Parquet file {@code out} (by an in-memory DuckDB); returns the rows. */
    private static long copy(Connection pg, Table t, String tenantId, LocalDate day, Path out) throws SQLException {
        long rows = 0;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("set threads = 1"); // one writer thread: the same rows give the same file
            s.execute("create table r (" + t.columns() + ")");
            try (PreparedStatement q = pg.prepareStatement(t.query())) {
                q.setString(1, tenantId);
                q.setTimestamp(2, Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant()));
                q.setTimestamp(3, Timestamp.from(end(day)));
                try (ResultSet rs = q.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    try (PreparedStatement ins = duck.prepareStatement("insert into r values (" + "?, ".repeat(n - 1) + "?)")) {
                        while (rs.next()) {
                            for (int i = 1; i <= n; i++) {
                                ins.setObject(i, value(rs.getObject(i)));
                            }
                            ins.addBatch();
                            rows++;
                        }
                        ins.executeBatch();
                    }
                }
            }
            s.execute("copy (select * from r) to '" + out.toAbsolutePath().toString().replace("'", "''") + "' (format parquet, compression zstd)");
        }
        return rows;
    }

    private static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return md.digest();
    }

    /** A PostgreSQL value as DuckDB takes it: instants as UTC timestamps, decimals exact (at most 9 places: amounts). */
    private static Object value(Object v) {
        if (v instanceof Timestamp ts) {
            return ts.toInstant().atOffset(ZoneOffset.UTC).toLocalDateTime();
        }
        if (v instanceof BigDecimal d && d.scale() > 9) {
            throw new IllegalStateException("an amount with more than 9 decimals cannot be exported exactly: " + d.toPlainString());
        }
        return v;
    }

    /** Makes {@code bytes} the object {@code key}, whole or not at all (staged, then put: as the archive's files). */
    private static void place(ObjectStore root, String key, byte[] bytes) throws IOException {
        Path staged = root.staging(key);
        try {
            Files.write(staged, bytes);
            root.put(staged, key, () -> { });
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    private static boolean lock(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(hashtext('warehouse-export:' || ?))")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_unlock(hashtext('warehouse-export:' || ?))")) {
            ps.setString(1, tenantId);
            ps.execute();
        }
    }

    /** The days exported for {@code tenantId}, newest first (at most {@code limit}). */
    public List<Day> days(String tenantId, int limit) throws Exception {
        List<Day> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select day from warehouse_export where tenant_id = ? order by day desc limit ?")) {
            ps.setString(1, tenantId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(exported(c, tenantId, rs.getObject(1, LocalDate.class)));
                }
            }
        }
        return out;
    }

    /** The instant {@code day} (UTC) ends. */
    public static Instant end(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
