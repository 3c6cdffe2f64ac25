package dev.tally.platform.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecords;

/** What a {@link PollLoop} does with each non-empty poll; an exception makes the loop rewind and read the poll again. */
@FunctionalInterface
public interface PollHandler {
    void handle(ConsumerRecords<String, String> poll) throws Exception;
}
