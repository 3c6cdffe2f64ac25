package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.infra.local.LocalStack;
import dev.tally.infra.local.ObjectStorage;
import dev.tally.invoicing.archive.ArchiveStore;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.storage.DirectoryStore;
import dev.tally.invoicing.storage.ObjectStore;
import dev.tally.invoicing.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The storage seam of the archive and the warehouse export, the same contract on both stores: a directory, and a real
 * S3-compatible server (S3Proxy, started by the local stack's code in a JVM of its own) through the AWS SDK's client as
 * invoicing builds it. An object is visible whole or not at all; a write that stops before it is visible leaves only a
 * staged file, which the sweep deletes.
 */
class ObjectStoreTest {
    private static final Path DIR = Path.of("target", "object-store-test").toAbsolutePath();
    private static ObjectStorage server;
    private static LocalStack.Storage address;
    private static S3Client client;

    @BeforeAll
    static void start() throws IOException {
        server = new ObjectStorage(DIR.resolve("server"), LocalStack.freePort());
        server.start();
        address = server.address();
        client = Storage.client(settings(address.accessKey(), address.secretKey()));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    static Stream<ObjectStore> stores() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return Stream.of(new DirectoryStore(DIR.resolve("dir-" + run)),
                Storage.of("s3://tally-archive/test-" + run, () -> client, DIR.resolve("scratch-" + run)));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anObjectIsPutListedReadReplacedAndDeleted(ObjectStore store) throws Exception {
        String key = "tenant=a/day=2026-03-01/accepted-p0-0-9-ab.parquet";
        assertThat(put(store, key, "first")).isEqualTo(5);
        put(store, "tenant=b/day=2026-03-02/accepted-p1-0-3-cd.parquet", "other tenant");

        assertThat(store.list("").stream().map(ObjectStore.Listed::key)).containsExactlyInAnyOrder(key,
                "tenant=b/day=2026-03-02/accepted-p1-0-3-cd.parquet");
        assertThat(store.list("tenant=a/")).singleElement().satisfies(l -> {
            assertThat(l.key()).isEqualTo(key);
            assertThat(l.size()).isEqualTo(5);
            assertThat(l.modified()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
        });
        assertThat(store.list("tenant=c/")).isEmpty();

        put(store, key, "second version");
        List<Path> read = new ArrayList<>();
        try (ObjectStore.Local local = store.local(List.of(key))) {
            assertThat(local.paths()).singleElement().satisfies(p -> {
                assertThat(p.toString().replace('\\', '/')).endsWith(key); // the day stays readable from the path
                assertThat(Files.readString(p)).isEqualTo("second version");
            });
            read.addAll(local.paths());
        }
        if (store.location().startsWith("s3://")) {
            assertThat(read).noneMatch(Files::exists); // the downloaded copy is deleted on close
        }

        store.delete(key);
        store.delete(key); // absent: nothing
        assertThat(store.list("tenant=a/")).isEmpty();
        assertThatThrownBy(() -> store.local(List.of(key))).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aWriteThatStopsBeforeItIsVisibleLeavesOnlyAStagedFileWhichTheSweepDeletes(ObjectStore store) throws Exception {
        String key = "tenant=a/day=2026-03-01/accepted-p0-10-19-ef.parquet";
        Path staged = store.staging(key);
        Files.writeString(staged, "half", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> store.put(staged, key, () -> {
            throw new IllegalStateException("crashed before the object became visible");
        })).hasMessageContaining("crashed");
        assertThat(store.list("")).isEmpty();
        assertThat(store.sweepStaging(Instant.now().minusSeconds(60))).as("a staged file younger than the age is kept").isZero();
        assertThat(staged).exists();
        assertThat(store.sweepStaging(Instant.now().plusSeconds(1))).isEqualTo(1);
        assertThat(staged).doesNotExist();
    }

    @Test
    void eachDayReadsOneDayOfObjectsAtATime() throws Exception {
        ObjectStore store = Storage.of("s3://tally-archive/days-" + UUID.randomUUID(), () -> client, DIR.resolve("scratch-days"));
        List<String> keys = List.of("tenant=a/day=2026-03-01/x.parquet", "tenant=a/day=2026-03-02/y.parquet", "tenant=a/day=2026-03-01/z.parquet");
        for (String k : keys) {
            put(store, k, k);
        }
        List<String> seen = new ArrayList<>();
        ArchiveStore.eachDay(store, keys, (day, files) -> {
            try (Stream<Path> downloads = Files.list(DIR.resolve("scratch-days"))) {
                assertThat(downloads.filter(p -> p.getFileName().toString().startsWith("download-"))).as("one day downloaded at a time").hasSize(1);
            }
            for (Path f : files) {
                seen.add(day + " " + Files.readString(f));
            }
        });
        assertThat(seen).containsExactly("2026-03-01 tenant=a/day=2026-03-01/x.parquet", "2026-03-01 tenant=a/day=2026-03-01/z.parquet",
                "2026-03-02 tenant=a/day=2026-03-02/y.parquet");
        assertThat(ArchiveStore.dayOf(keys.get(1))).isEqualTo(LocalDate.parse("2026-03-02"));
    }

    @Test
    void aWrongSecretIsRefusedAndNotRepeatedInTheError() {
        try (S3Client wrong = Storage.client(settings(address.accessKey(), "not-the-secret-0123456789"))) {
            ObjectStore store = Storage.of("s3://tally-archive/denied", () -> wrong, DIR.resolve("scratch-denied"));
            assertThatThrownBy(() -> put(store, "tenant=a/day=2026-03-01/x.parquet", "x")).isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://tally-archive/denied/").hasMessageNotContaining("not-the-secret");
            assertThatThrownBy(() -> store.list("")).isInstanceOf(IOException.class);
        }
    }

    private static long put(ObjectStore store, String key, String content) throws IOException {
        Path staged = store.staging(key);
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        long size = store.put(staged, key, () -> { });
        assertThat(staged).as("the staged file is consumed").doesNotExist();
        return size;
    }

    private static InvoicingConfig.S3 settings(String accessKey, String secret) {
        return new InvoicingConfig.S3() {
            @Override
            public Optional<URI> endpoint() {
                return Optional.of(URI.create(address.endpoint()));
            }

            @Override
            public String region() {
                return "us-east-1";
            }

            @Override
            public boolean pathStyle() {
                return true;
            }

            @Override
            public Optional<String> accessKeyId() {
                return Optional.of(accessKey);
            }

            @Override
            public Optional<String> secretAccessKey() {
                return Optional.of(secret);
            }
        };
    }
}
