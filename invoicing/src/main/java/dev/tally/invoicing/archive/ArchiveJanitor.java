package dev.tally.invoicing.archive;

import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps the archive's storage equal to its manifest: deletes the files of days past each tenant's retention (after their
 * rows are gone), files compaction replaced (once older than {@code tally.archive.orphan-age}), and files the manifest
 * does not name once they are older than {@code tally.archive.orphan-age} — what a crash between writing a poll's files
 * and committing their rows leaves — and the staged files of an unfinished write.
 * Safe on every instance at once (deleting a file twice is harmless; a file is only deleted when no row names it).
 */
@ApplicationScoped
public class ArchiveJanitor {
    private static final Logger LOG = Logger.getLogger(ArchiveJanitor.class);

    @Inject
    ArchiveStore store;
    @Inject
    InvoicingConfig config;
    @Inject
    Clock clock;
    @Inject
    Storage storage;

    /** What one round did. */
    public record Swept(int expired, int orphans) {
    }

    @Scheduled(every = "${tally.archive.janitor-every:10m}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!config.archive().enabled()) {
            return;
        }
        try {
            Swept s = sweep();
            if (s.expired() + s.orphans() > 0) {
                LOG.infof("archive janitor: %d files past retention and %d orphaned files deleted", s.expired(), s.orphans());
            }
        } catch (Exception e) {
            LOG.warnf("archive janitor failed, retrying next round: %s", e.getMessage());
        }
    }

    /**
     * One round: retention, replaced files, then orphans — objects of the archive the manifest does not name, last
     * written before the orphan age (what a crash between putting a poll's files and committing their rows leaves) —
     * and staged files an unfinished write left.
     */
    public Swept sweep() throws IOException, SQLException {
        ObjectStore files = storage.archive();
        List<String> expired = store.expire(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        for (String path : expired) {
            files.delete(path);
        }
        for (String path : store.dropReplaced(clock.instant().minus(config.archive().orphanAge()))) {
            files.delete(path); // merged into another file by compaction
        }
        Instant before = clock.instant().minus(config.archive().orphanAge());
        List<String> old = files.list("").stream().filter(f -> f.key().endsWith(".parquet") && f.modified().isBefore(before))
                .map(ObjectStore.Listed::key).toList();
        int orphans = 0;
        for (int i = 0; i < old.size(); i += 1000) { // the manifest asked a thousand keys at a time
            List<String> batch = old.subList(i, Math.min(old.size(), i + 1000));
            Set<String> known = store.known(batch);
            for (String key : batch) {
                if (!known.contains(key)) {
                    files.delete(key);
                    orphans++;
                }
            }
        }
        orphans += files.sweepStaging(before);
        return new Swept(expired.size(), orphans);
    }
}
