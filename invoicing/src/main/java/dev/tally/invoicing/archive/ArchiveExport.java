package dev.tally.invoicing.archive;

import dev.tally.invoicing.storage.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One customer's archived records of some days, for support and disputes: every event and correction as it was
 * published (the history, not the final state), in topic order, as CSV or as one Parquet file. What the archive does not
 * hold yet (the topic's tail past it, minutes behind) is not in it; the answer says up to where each partition is
 * archived.
 */
@ApplicationScoped
public class ArchiveExport {
    /** The most days one export may span. */
    public static final int MAX_DAYS = 93;

    @Inject
    ArchiveStore store;
    @Inject
    Storage storage;

    /** The records of {@code customerId} from day {@code from} to {@code to} (both included), with the archive's frontier. */
    public record Records(List<ArchivedRecord> records, String archivedUpTo) {
    }

    public Records records(String tenantId, String customerId, LocalDate from, LocalDate to) throws Exception {
        ArchiveStore.Snapshot snapshot = store.snapshot(tenantId, from, to);
        List<ArchivedRecord> all = new ArrayList<>();
        ArchiveStore.eachDay(storage.archive(), snapshot.files(), (day, files) -> ParquetFiles.read(files, "tenant_id = ? and customer_id = ?",
                List.of(tenantId, customerId), all::add, false));
        all.sort(Comparator.comparingInt(ArchivedRecord::partition).thenComparingLong(ArchivedRecord::offset));
        List<ArchivedRecord> out = new ArrayList<>();
        for (ArchivedRecord r : all) {
            // a correction that moved its event to another day is filed under both days: export it once
            ArchivedRecord last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last == null || last.partition() != r.partition() || last.offset() != r.offset()) {
                out.add(r);
            }
        }
        StringBuilder upTo = new StringBuilder();
        snapshot.archivedUpTo().entrySet().stream().sorted((a, b) -> a.getKey().toString().compareTo(b.getKey().toString()))
                .forEach(e -> upTo.append(upTo.isEmpty() ? "" : ",").append(e.getKey().partition()).append(':').append(e.getValue()));
        return new Records(out, upTo.toString());
    }

    /** As CSV (RFC 4180): the archive's columns, {@code value} the record's JSON. */
    public static void csv(List<ArchivedRecord> records, Writer w) throws IOException {
        w.write("kafka_partition,kafka_offset,published_at,schema,event_id,event_time,value\r\n");
        for (ArchivedRecord r : records) {
            w.write(r.partition() + "," + r.offset() + "," + r.publishedAt() + "," + cell(r.schema()) + "," + cell(r.eventId()) + ","
                    + (r.eventTime() == null ? "" : r.eventTime().toString()) + "," + cell(r.value()) + "\r\n");
        }
        w.flush();
    }

    /** As one Parquet file (the archive's own columns), written to a temporary file and copied to {@code out}. */
    public static void parquet(List<ArchivedRecord> records, OutputStream out) throws IOException, SQLException {
        Path dir = Files.createTempDirectory("tally-export");
        Path file = dir.resolve("export.parquet");
        try {
            ParquetFiles.write(file, records);
            Files.copy(file, out);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /** A CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is quoted too (no spreadsheet formulas). */
    static String cell(String v) {
        if (v == null) {
            return "";
        }
        boolean formula = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0;
        if (formula || v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + (formula ? "'" : "") + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

}
