package dev.tally.invoicing.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3 bucket under a key prefix ({@code s3://bucket/prefix}), through any S3-compatible endpoint. A PUT
 * makes an object visible whole or not at all, so a file staged locally (under {@code scratch/staging}) becomes its
 * object in one request; reads download into {@code scratch} first (DuckDB reads local files) and delete on close.
 * SDK failures surface as {@link IOException}s, as a directory's would.
 */
public final class S3Store implements ObjectStore {
    private final S3Client s3;
    private final String bucket;
    /** The key prefix with its trailing {@code /} ({@code ""}: the bucket's root). */
    private final String base;
    private final Path scratch;

    public S3Store(S3Client s3, String bucket, String prefix, Path scratch) {
        this.s3 = s3;
        this.bucket = bucket;
        this.base = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        this.scratch = scratch.toAbsolutePath();
    }

    @Override
    public Path staging(String key) throws IOException {
        Path dir = scratch.resolve("staging");
        Files.createDirectories(dir);
        return dir.resolve(UUID.randomUUID() + "-" + Path.of(key).getFileName());
    }

    @Override
    public long put(Path staged, String key, Runnable beforeVisible) throws IOException {
        long size = Files.size(staged);
        String md5 = md5(staged);
        beforeVisible.run();
        try {
            // Content-MD5: the server refuses a body that arrived other than it left
            s3.putObject(b -> b.bucket(bucket).key(base + key).contentLength(size).contentMD5(md5), RequestBody.fromFile(staged));
        } catch (SdkException e) {
            throw new IOException("cannot put " + location() + key + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(staged);
        }
        return size;
    }

    private static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Local local(List<String> keys) throws IOException {
        Path dir = Files.createDirectories(scratch).resolve("download-" + UUID.randomUUID());
        List<Path> paths = new ArrayList<>();
        try {
            for (String key : keys) {
                Path to = dir.resolve(key).normalize();
                if (!to.startsWith(dir)) {
                    throw new IllegalArgumentException("not a key: " + key);
                }
                Files.createDirectories(to.getParent());
                s3.getObject(b -> b.bucket(bucket).key(base + key), ResponseTransformer.toFile(to));
                paths.add(to);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e instanceof IOException io ? io : new IOException("cannot read " + location() + ": " + e.getMessage(), e);
        }
        return Local.of(paths, () -> deleteTree(dir));
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(base + key));
        } catch (SdkException e) {
            throw new IOException("cannot delete " + location() + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Listed> list(String prefix) throws IOException {
        List<Listed> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(base + prefix).build()).contents()) {
                if (!o.key().endsWith("/")) { // some servers list directory markers beside the objects
                    out.add(new Listed(o.key().substring(base.length()), o.lastModified(), o.size()));
                }
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + location() + prefix + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public int sweepStaging(Instant before) throws IOException {
        if (!Files.isDirectory(scratch)) {
            return 0;
        }
        int swept = 0;
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> staged = Files.isDirectory(scratch.resolve("staging")) ? Files.list(scratch.resolve("staging")) : Stream.empty();
             Stream<Path> downloads = Files.list(scratch)) {
            staged.forEach(leftovers::add);
            downloads.filter(p -> p.getFileName().toString().startsWith("download-")).forEach(leftovers::add);
        }
        for (Path p : leftovers) {
            if (Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
                deleteTree(p);
                swept++;
            }
        }
        return swept;
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + base;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
