package dev.tally.platform.outbox;

import dev.tally.model.messages.Headers;
import dev.tally.platform.config.PlatformConfig;
import dev.tally.platform.kafka.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka in id order, then marks them published — in one Postgres
 * transaction that also holds an advisory lock, so at most one relay per schema runs at a time.
 *
 * <p>A crash after the send and before the commit re-publishes the rows on restart. That is
 * allowed: every record carries {@link Headers#OUTBOX_ID} and {@link Headers#POSITION}, and every
 * consumer drops positions it has already applied.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    DataSource dataSource;
    @Inject
    KafkaClients kafka;
    @Inject
    PlatformConfig config;

    private volatile boolean running;
    private Thread thread;
    private Producer<String, String> producer;

    void onStart(@Observes StartupEvent e) {
        if (!config.outbox().relay().enabled()) {
            return;
        }
        producer = kafka.producer("outbox-relay");
        running = true;
        thread = Thread.ofPlatform().name("outbox-relay").daemon().start(this::loop);
    }

    void onStop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void loop() {
        long backoff = 0;
        while (running) {
            try {
                int rows = relayOnce();
                backoff = 0;
                if (rows == 0) {
                    Thread.sleep(config.outbox().relay().idleWait().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                backoff = Math.min(5_000, Math.max(100, backoff * 2));
                LOG.warnf("outbox relay failed, retrying in %d ms: %s", backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Publishes up to one batch of rows; returns how many rows it published. */
    int relayOnce() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int n = relay(c);
                c.commit();
                return n;
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private int relay(Connection c) throws Exception {
        try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox'))");
             ResultSet rs = lock.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return 0; // another relay instance holds the schema's outbox
            }
        }
        List<Long> ids = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select id, topic, schema_name, keys, payloads, traceparents from outbox where published_at is null order by id limit ?")) {
            ps.setInt(1, config.outbox().relay().batchRows());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    String topic = rs.getString(2);
                    byte[] schema = rs.getString(3).getBytes(StandardCharsets.UTF_8);
                    String[] keys = strings(rs.getArray(4));
                    String[] payloads = strings(rs.getArray(5));
                    String[] traces = strings(rs.getArray(6));
                    byte[] outboxId = Long.toString(id).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < keys.length; i++) {
                        ProducerRecord<String, String> record = new ProducerRecord<>(topic, keys[i], payloads[i]);
                        record.headers().add(Headers.OUTBOX_ID, outboxId)
                                .add(Headers.POSITION, Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                                .add(Headers.SCHEMA, schema);
                        if (!traces[i].isEmpty()) {
                            record.headers().add(Headers.TRACEPARENT, traces[i].getBytes(StandardCharsets.UTF_8));
                        }
                        sends.add(producer.send(record));
                    }
                    ids.add(id);
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        producer.flush();
        for (Future<RecordMetadata> f : sends) {
            f.get(); // any failed send aborts the mark; the rows are sent again
        }
        Duration pause = config.outbox().relay().pauseBeforeMark();
        if (!pause.isZero()) {
            Thread.sleep(pause.toMillis()); // fault tests widen the send-to-mark window; zero in any deployment
        }
        try (PreparedStatement mark = c.prepareStatement("update outbox set published_at = now() where id = any(?)")) {
            mark.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            mark.executeUpdate();
        }
        return ids.size();
    }

    private static String[] strings(Array array) throws SQLException {
        return (String[]) array.getArray();
    }

    /** Published rows are kept for a while for inspection, then deleted. */
    @Scheduled(every = "${tally.outbox.cleanup-every:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deletePublished() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "delete from outbox where published_at is not null and published_at < now() - ?::interval")) {
            ps.setString(1, config.outbox().retention().toSeconds() + " seconds");
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("outbox cleanup failed: %s", e.getMessage());
        }
    }
}
