package dev.tally.invoicing.storage;

import dev.tally.invoicing.config.InvoicingConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The archive's and the warehouse export's stores, from {@code tally.archive.dir} and {@code tally.warehouse.dir}: a
 * directory, or {@code s3://bucket/prefix} through one S3 client ({@code tally.s3.*}) built on first use.
 */
@ApplicationScoped
public class Storage {
    @Inject
    InvoicingConfig config;

    private S3Client client;
    private ObjectStore archive;
    private ObjectStore warehouse;

    public synchronized ObjectStore archive() {
        if (archive == null) {
            archive = of(config.archive().dir(), this::client, scratch());
        }
        return archive;
    }

    public synchronized ObjectStore warehouse() {
        if (warehouse == null) {
            warehouse = of(config.warehouse().dir(), this::client, scratch());
        }
        return warehouse;
    }

    /** Where downloads, staged uploads and DuckDB's spill go ({@code tally.archive.scratch-dir}; default: under the JVM's temporary directory). */
    public Path scratch() {
        return config.archive().scratchDir().map(Path::of).orElse(Path.of(System.getProperty("java.io.tmpdir"), "tally-scratch"));
    }

    private synchronized S3Client client() {
        if (client == null) {
            client = client(config.s3());
        }
        return client;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.close();
        }
    }

    /** {@code location}: {@code s3://bucket[/prefix]}, else a directory. */
    public static ObjectStore of(String location, Supplier<S3Client> s3, Path scratch) {
        if (!location.startsWith("s3://")) {
            return new DirectoryStore(Path.of(location));
        }
        String rest = location.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("no bucket in " + location);
        }
        return new S3Store(s3.get(), bucket, slash < 0 ? "" : rest.substring(slash + 1), scratch);
    }

    /**
     * An S3 client for {@code settings} on the JDK's HTTP client. Checksums only where S3 requires them: the SDK's
     * default (a CRC trailer on every upload, {@code aws-chunked}) is not understood by every S3-compatible server; each
     * upload carries a {@code Content-MD5} instead ({@link S3Store#put}), which every server checks.
     */
    public static S3Client client(InvoicingConfig.S3 settings) {
        AwsCredentialsProvider credentials = settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId().get(), settings.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder b = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.of(settings.region()))
                .credentialsProvider(credentials).forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        settings.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }
}
