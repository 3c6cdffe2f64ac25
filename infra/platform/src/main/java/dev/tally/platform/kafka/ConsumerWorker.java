package dev.tally.platform.kafka;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A service's Kafka consumer: a bean that owns one {@link PollLoop} (built with its {@link PollHandler} and
 * {@link Offsets}); {@link ConsumerLifecycle} starts it with the service when it is {@link #enabled()}. {@code PlatformMetrics} reports the lag of every one.
 */
public interface ConsumerWorker {
    /** The loop this consumer runs; built when the bean is, so it is there before the service starts. */
    PollLoop loop();

    /** The consumer's name, as its thread and its {@code tally_consumer_lag_records} gauge name it. */
    default String consumerName() {
        return loop().name();
    }

    /** See {@link PollLoop#lag()}. */
    default long lag() {
        return loop().lag();
    }

    /** See {@link PollLoop#partitionLags()}. */
    default Map<TopicPartition, Long> partitionLags() {
        return loop().partitionLags();
    }

    /** Whether the service runs it (a setting; tests that drive a consumer by hand turn it off). */
    default boolean enabled() {
        return true;
    }

    default void start() {
        loop().start();
    }

    /** Stops polling, waking the consumer and waiting (at most 30 s) for the poll in hand to finish. */
    default void stop() {
        loop().stop();
    }
}
