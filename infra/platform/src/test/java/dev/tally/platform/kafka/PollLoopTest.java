package dev.tally.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poll loop against Kafka's {@link MockConsumer}, with each of the two places its offsets can live. */
class PollLoopTest {
    private static final String TOPIC = "tally.test";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final List<PollLoop> loops = new ArrayList<>();
    private final List<LogConsumer> opened = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoops() {
        loops.forEach(PollLoop::stop);
    }

    @Test
    void eachHandledPollIsCommittedToKafkaOnItsOwnThread() throws Exception {
        Log log = new Log(Map.of(P0, 3));
        List<String> handled = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        PollLoop loop = start("test-committed", log, new CommittedOffsets(), poll -> {
            threads.add(Thread.currentThread().getName());
            poll.forEach(r -> handled.add(r.value()));
        });

        await(() -> committed(P0) == 3, "offset 3 committed");
        assertThat(handled).containsExactly("0-0", "0-1", "0-2");
        assertThat(threads).containsOnly("test-committed");
        assertThat(loop.name()).isEqualTo("test-committed");
    }

    @Test
    void aFailedPollIsReadAgainFromTheCommittedOffsets() throws Exception {
        Log log = new Log(Map.of(P0, 3));
        AtomicInteger calls = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();
        start("test-committed-retry", log, new CommittedOffsets(), poll -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("the database is away");
            }
            poll.forEach(r -> handled.add(r.value()));
        });

        await(() -> committed(P0) == 3, "offset 3 committed after the retry");
        assertThat(handled).containsExactly("0-0", "0-1", "0-2");
        assertThat(opened).hasSize(1); // a failed poll rewinds; it does not reopen the consumer
    }

    @Test
    void storedOffsetsAreWhereEachAssignedPartitionStartsAndKafkaIsNeverCommitted() throws Exception {
        Log log = new Log(Map.of(P0, 4, P1, 2));
        Map<TopicPartition, Long> stored = new ConcurrentHashMap<>(Map.of(P0, 2L));
        List<String> handled = new CopyOnWriteArrayList<>();
        start("test-stored", log, new StoredOffsets(partitions -> new HashMap<>(stored)), poll -> {
            poll.forEach(r -> handled.add(r.value()));
            stored.putAll(next(poll));
        });

        await(() -> stored.getOrDefault(P0, 0L) == 4 && stored.getOrDefault(P1, 0L) == 2, "both partitions applied");
        assertThat(handled).containsExactlyInAnyOrder("0-2", "0-3", "1-0", "1-1"); // P1 was never consumed: from the beginning
        assertThat(opened.get(0).committed(Set.of(P0, P1))).isEmpty();
    }

    @Test
    void aFailedPollIsReadAgainFromTheStoredOffsets() throws Exception {
        Log log = new Log(Map.of(P0, 3));
        Map<TopicPartition, Long> stored = new ConcurrentHashMap<>(Map.of(P0, 1L));
        AtomicInteger calls = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();
        start("test-stored-retry", log, new StoredOffsets(partitions -> new HashMap<>(stored)), poll -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("rolled back");
            }
            poll.forEach(r -> handled.add(r.value()));
            stored.putAll(next(poll));
        });

        await(() -> stored.get(P0) == 3, "offset 3 stored after the retry");
        assertThat(handled).containsExactly("0-1", "0-2");
    }

    @Test
    void aConsumerThatCannotReadItsStoredOffsetsIsClosedAndOpenedAgain() throws Exception {
        Log log = new Log(Map.of(P0, 2));
        Map<TopicPartition, Long> stored = new ConcurrentHashMap<>();
        AtomicInteger reads = new AtomicInteger();
        StoredOffsets.Reader reader = partitions -> {
            if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("PostgreSQL is restarting");
            }
            return new HashMap<>(stored);
        };
        List<String> handled = new CopyOnWriteArrayList<>();
        start("test-stored-reopen", log, new StoredOffsets(reader), poll -> {
            poll.forEach(r -> handled.add(r.value()));
            stored.putAll(next(poll));
        });

        await(() -> stored.getOrDefault(P0, 0L) == 2, "the records applied by the second consumer");
        assertThat(handled).containsExactly("0-0", "0-1");
        assertThat(opened).hasSize(2);
        assertThat(opened.get(0).closed()).isTrue();
    }

    @Test
    void lagIsUnknownBeforeTheFirstPollThenReadFromEachPoll() throws Exception {
        Log log = new Log(Map.of(P0, 3));
        PollLoop loop = new PollLoop("test-lag", TOPIC, () -> open(log), new CommittedOffsets(), poll -> {
            // nothing to apply
        });
        loops.add(loop);
        assertThat(loop.lag()).isEqualTo(-1);
        assertThat(loop.partitionLags()).isEmpty();

        loop.start();
        await(() -> loop.lag() == 0, "the loop caught up");
        assertThat(loop.partitionLags()).isEqualTo(Map.of(P0, 0L));
    }

    @Test
    void stopWakesThePollAndClosesTheConsumer() throws Exception {
        Log log = new Log(Map.of(P0, 1));
        AtomicInteger handled = new AtomicInteger();
        PollLoop loop = start("test-stop", log, new CommittedOffsets(), poll -> handled.addAndGet(poll.count()));
        await(() -> handled.get() == 1, "the record handled");

        loop.stop();

        assertThat(opened.get(0).closed()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("test-stop"));
        loop.stop(); // twice is harmless
    }

    private PollLoop start(String name, Log log, Offsets offsets, PollHandler handler) {
        PollLoop loop = new PollLoop(name, TOPIC, () -> open(log), offsets, handler);
        loops.add(loop);
        loop.start();
        return loop;
    }

    private LogConsumer open(Log log) {
        LogConsumer c = new LogConsumer(log);
        opened.add(c);
        return c;
    }

    private long committed(TopicPartition tp) {
        if (opened.isEmpty()) {
            return -1;
        }
        OffsetAndMetadata o = opened.get(opened.size() - 1).committed(Set.of(tp)).get(tp);
        return o == null ? -1 : o.offset();
    }

    private static Map<TopicPartition, Long> next(ConsumerRecords<String, String> poll) {
        Map<TopicPartition, Long> next = new HashMap<>();
        poll.forEach(r -> next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1));
        return next;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The records of each partition, values {@code <partition>-<offset>}: what a broker would keep. */
    private record Log(Map<TopicPartition, Integer> sizes) {
        List<ConsumerRecord<String, String>> records(TopicPartition tp) {
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            for (int offset = 0; offset < sizes.getOrDefault(tp, 0); offset++) {
                out.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, null, tp.partition() + "-" + offset));
            }
            return out;
        }
    }

    /**
     * A {@link MockConsumer} over a {@link Log}: it is assigned every partition of the log on its first poll (calling
     * the rebalance listener there, as Kafka does), and each poll serves the log from the consumer's position, so a
     * seek back reads records again.
     */
    private static final class LogConsumer extends MockConsumer<String, String> {
        private final Log log;

        LogConsumer(Log log) {
            super("earliest");
            this.log = log;
            Map<TopicPartition, Long> beginning = new HashMap<>();
            Map<TopicPartition, Long> end = new HashMap<>();
            log.sizes().forEach((tp, size) -> {
                beginning.put(tp, 0L);
                end.put(tp, (long) size);
            });
            updateBeginningOffsets(beginning);
            updateEndOffsets(end);
            schedulePollTask(() -> rebalance(log.sizes().keySet()));
        }

        @Override
        public ConsumerRecords<String, String> poll(Duration timeout) {
            for (TopicPartition tp : assignment()) {
                log.records(tp).forEach(this::addRecord);
            }
            ConsumerRecords<String, String> polled = super.poll(timeout);
            if (polled.isEmpty()) {
                try {
                    Thread.sleep(10); // a real poll waits for records; this keeps the loop from spinning
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return polled;
        }
    }
}
