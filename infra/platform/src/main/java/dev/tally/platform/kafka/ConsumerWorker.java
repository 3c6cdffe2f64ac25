package dev.tally.platform.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * A consumer on its own thread: poll, hand the poll to {@link #process}, and on failure
 * {@link #rewind} to the last durable position and try again. Subclasses decide where that
 * position lives (Postgres for rating, Kafka for invoicing's idempotent snapshots).
 */
public abstract class ConsumerWorker {
    private static final Logger LOG = Logger.getLogger(ConsumerWorker.class);

    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    /** Records behind the end of the assigned partitions after the last poll; -1 while unknown. */
    private volatile long lag = -1;
    /** Records behind the end of each assigned partition after the last poll (unknown partitions left out). */
    private volatile Map<TopicPartition, Long> partitionLags = Map.of();
    private Thread thread;

    /** Thread name, also used in log lines. */
    protected abstract String name();

    /** Creates the consumer and subscribes it (with any rebalance listener). */
    protected abstract KafkaConsumer<String, String> open();

    /** Applies one non-empty poll; an exception rewinds and retries it. */
    protected abstract void process(KafkaConsumer<String, String> consumer, ConsumerRecords<String, String> polled) throws Exception;

    /** Moves the consumer back to the last durable position after a failed poll. */
    protected abstract void rewind(KafkaConsumer<String, String> consumer);

    /** The consumer's name, as its thread and its {@code tally_consumer_lag_records} gauge name it. */
    public final String consumerName() {
        return name();
    }

    /**
     * Records between this consumer's position and the end of its assigned partitions, as of its last poll (from the
     * fetch metadata the poll brought, no extra request); -1 before the first poll or while a partition's is unknown.
     */
    public long lag() {
        return lag;
    }

    /** Per assigned partition, records behind its end as of the last poll; a partition whose lag is unknown is absent. */
    public Map<TopicPartition, Long> partitionLags() {
        return partitionLags;
    }

    private long lagOf(KafkaConsumer<String, String> c) {
        long sum = 0;
        boolean known = true;
        Map<TopicPartition, Long> each = new HashMap<>();
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            if (l.isEmpty()) {
                known = false;
            } else {
                each.put(tp, l.getAsLong());
                sum += l.getAsLong();
            }
        }
        partitionLags = Map.copyOf(each);
        return known ? sum : -1;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name(name()).start(this::loop);
    }

    public synchronized void stop() {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    /**
     * Polls and processes until stopped. A poll that fails is read again (from the last durable position); a
     * failure of the consumer itself — the database unreachable while reading stored offsets, the broker gone —
     * closes it and opens a new one after a backoff (1 s, doubling, at most 30 s), so the worker outlives
     * restarts of PostgreSQL and Kafka instead of stopping for good.
     */
    private void loop() {
        long backoff = 1000;
        while (running) {
            try (KafkaConsumer<String, String> c = open()) {
                consumer = c;
                boolean rewindFirst = false;
                while (running) {
                    if (rewindFirst) {
                        rewind(c); // throws while the database is down: the consumer is reopened below
                        rewindFirst = false;
                    }
                    ConsumerRecords<String, String> polled = c.poll(Duration.ofMillis(200));
                    backoff = 1000;
                    lag = lagOf(c);
                    if (polled.isEmpty()) {
                        continue;
                    }
                    try {
                        process(c, polled);
                    } catch (WakeupException e) {
                        throw e;
                    } catch (Exception e) {
                        LOG.warnf("%s: a poll failed and will be read again: %s", name(), e.toString());
                        rewindFirst = true;
                        Thread.sleep(1000);
                    }
                }
            } catch (WakeupException e) {
                // stop() was called
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warnf("%s: the consumer failed and is opened again in %d ms: %s", name(), backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                consumer = null;
            }
        }
    }
}
