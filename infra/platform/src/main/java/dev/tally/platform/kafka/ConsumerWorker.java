package dev.tally.platform.kafka;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
    private Thread thread;

    /** Thread name, also used in log lines. */
    protected abstract String name();

    /** Creates the consumer and subscribes it (with any rebalance listener). */
    protected abstract KafkaConsumer<String, String> open();

    /** Applies one non-empty poll; an exception rewinds and retries it. */
    protected abstract void process(KafkaConsumer<String, String> consumer, ConsumerRecords<String, String> polled) throws Exception;

    /** Moves the consumer back to the last durable position after a failed poll. */
    protected abstract void rewind(KafkaConsumer<String, String> consumer);

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

    private void loop() {
        try (KafkaConsumer<String, String> c = open()) {
            consumer = c;
            while (running) {
                ConsumerRecords<String, String> polled = c.poll(Duration.ofMillis(200));
                if (polled.isEmpty()) {
                    continue;
                }
                try {
                    process(c, polled);
                } catch (WakeupException e) {
                    throw e;
                } catch (Exception e) {
                    LOG.warnf("%s: a poll failed and will be read again: %s", name(), e.toString());
                    rewind(c);
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf(e, "%s stopped", name());
        } finally {
            consumer = null;
        }
    }
}
