package dev.tally.platform.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One topic consumed on its own thread: poll, hand each non-empty poll to the {@link PollHandler}, make its position
 * durable through the {@link Offsets}, and on failure rewind to the last durable position and read the poll again.
 * A {@link ConsumerWorker} bean owns one and starts it with its service.
 */
public final class PollLoop {
    /** The category these lines have always had, so log filters set on it still match. */
    private static final Logger LOG = Logger.getLogger(ConsumerWorker.class);

    private final String name;
    private final String topic;
    private final Supplier<? extends Consumer<String, String>> consumers;
    private final Offsets offsets;
    private final PollHandler handler;

    private volatile boolean running;
    private volatile Consumer<String, String> consumer;
    /** Records behind the end of the assigned partitions after the last poll; -1 while unknown. */
    private volatile long lag = -1;
    /** Records behind the end of each assigned partition after the last poll (unknown partitions left out). */
    private volatile Map<TopicPartition, Long> partitionLags = Map.of();
    private Thread thread;

    /**
     * @param name the thread's name, also used in log lines and as the consumer's name in its lag gauges
     * @param consumers a new, unsubscribed consumer each time the loop (re)opens one ({@link KafkaClients#consumer})
     */
    public PollLoop(String name, String topic, Supplier<? extends Consumer<String, String>> consumers, Offsets offsets, PollHandler handler) {
        this.name = name;
        this.topic = topic;
        this.consumers = consumers;
        this.offsets = offsets;
        this.handler = handler;
    }

    public String name() {
        return name;
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

    private long lagOf(Consumer<String, String> c) {
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
        thread = Thread.ofPlatform().name(name).start(this::loop);
    }

    public synchronized void stop() {
        running = false;
        Consumer<String, String> c = consumer;
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

    private Consumer<String, String> open() {
        Consumer<String, String> c = consumers.get();
        try {
            offsets.subscribe(c, topic);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Polls and handles until stopped. A poll that fails is read again (from the last durable position); a
     * failure of the consumer itself — the database unreachable while reading stored offsets, the broker gone —
     * closes it and opens a new one after a backoff (1 s, doubling, at most 30 s), so the loop outlives
     * restarts of PostgreSQL and Kafka instead of stopping for good.
     */
    private void loop() {
        long backoff = 1000;
        while (running) {
            try (Consumer<String, String> c = open()) {
                consumer = c;
                boolean rewindFirst = false;
                while (running) {
                    if (rewindFirst) {
                        offsets.rewind(c); // throws while the database is down: the consumer is reopened below
                        rewindFirst = false;
                    }
                    ConsumerRecords<String, String> polled = c.poll(Duration.ofMillis(200));
                    backoff = 1000;
                    lag = lagOf(c);
                    if (polled.isEmpty()) {
                        continue;
                    }
                    try {
                        handler.handle(polled);
                        offsets.handled(c);
                    } catch (WakeupException e) {
                        throw e;
                    } catch (Exception e) {
                        LOG.warnf("%s: a poll failed and will be read again: %s", name, e.toString());
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
                LOG.warnf("%s: the consumer failed and is opened again in %d ms: %s", name, backoff, e.toString());
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
