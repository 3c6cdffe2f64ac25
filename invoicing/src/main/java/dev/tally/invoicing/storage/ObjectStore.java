package dev.tally.invoicing.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Files by key ({@code tenant=t/day=2026-03-14/accepted-p3-….parquet}) in a directory or in S3-compatible object
 * storage. A file is written locally first ({@link #staging}) and then made visible under its key in one step
 * ({@link #put}): whole or not at all, never partly. It is read through local copies ({@link #local}): the files
 * themselves for a directory, downloaded copies for object storage (DuckDB reads local files).
 */
public interface ObjectStore {
    /** An object: its key, when it was last written, its size. */
    record Listed(String key, Instant modified, long size) {
    }

    /** Local paths of some objects, in the order asked for, each ending in its key; closing deletes what was downloaded. */
    interface Local extends AutoCloseable {
        List<Path> paths();

        @Override
        void close();

        /** {@code paths}, with {@code onClose} run on close. */
        static Local of(List<Path> paths, Runnable onClose) {
            return new Local() {
                @Override
                public List<Path> paths() {
                    return paths;
                }

                @Override
                public void close() {
                    onClose.run();
                }
            };
        }
    }

    /**
     * A new local file to write {@code key}'s bytes to before {@link #put} (it does not exist yet): beside the target
     * for a directory (an atomic move needs the same filesystem), under the scratch directory for object storage. A
     * crash leaves it behind; {@link #sweepStaging} deletes it.
     */
    Path staging(String key) throws IOException;

    /**
     * Makes the finished {@code staged} file visible as {@code key}, replacing any object there: forced to disk and
     * moved into place atomically (directory), or one PUT (object storage: an object appears whole or not at all). The
     * staged file is gone afterwards. {@code beforeVisible} runs just before (a crash test's point). Returns the size.
     */
    long put(Path staged, String key, Runnable beforeVisible) throws IOException;

    /** Local copies of {@code keys} (all must exist). */
    Local local(List<String> keys) throws IOException;

    /** Deletes {@code key}; nothing if it is absent. */
    void delete(String key) throws IOException;

    /** Every object whose key starts with {@code prefix} ({@code ""}: all), in no particular order; no staged files. */
    List<Listed> list(String prefix) throws IOException;

    /** Deletes staged files a crash left, last written before {@code before}; returns how many. */
    int sweepStaging(Instant before) throws IOException;

    /** Where the objects are, for logs and the admin API ({@code /var/lib/tally/archive}, {@code s3://bucket/prefix}); no secret. */
    String location();
}
