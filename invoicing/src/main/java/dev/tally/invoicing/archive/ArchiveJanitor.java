package dev.tally.invoicing.archive;

import dev.tally.invoicing.config.InvoicingConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps the archive's storage equal to its manifest: deletes the files of days past each tenant's retention (after their
 * rows are gone), files compaction replaced (once older than {@code tally.archive.orphan-age}), and files the manifest does not name once they are older than {@code tally.archive.orphan-age} — what
 * a crash between writing a poll's files and committing their rows leaves, and temporary files of an unfinished write.
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

    /** One round: retention, then orphans. */
    public Swept sweep() throws IOException, SQLException {
        Path root = Path.of(config.archive().dir());
        List<String> expired = store.expire(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        for (String path : expired) {
            Files.deleteIfExists(root.resolve(path));
        }
        for (String path : store.dropReplaced(clock.instant().minus(config.archive().orphanAge()))) {
            Files.deleteIfExists(root.resolve(path)); // merged into another file by compaction
        }
        int orphans = 0;
        if (Files.isDirectory(root)) {
            FileTime before = FileTime.from(clock.instant().minus(config.archive().orphanAge()));
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    boolean candidate = name.endsWith(".tmp") || name.endsWith(".parquet");
                    if (candidate && Files.getLastModifiedTime(f).compareTo(before) < 0 && (name.endsWith(".tmp")
                            || !store.known(root.relativize(f).toString().replace('\\', '/')))) {
                        Files.deleteIfExists(f);
                        orphans++;
                    }
                }
            }
        }
        return new Swept(expired.size(), orphans);
    }
}
