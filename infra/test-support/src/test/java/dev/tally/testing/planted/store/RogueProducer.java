package dev.tally.testing.planted.store;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A planted violation: storage code that sends to Kafka itself instead of writing its outbox. */
public class RogueProducer {
    public void announce(Properties p) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("tally.invoices", "k", "v"));
        }
    }
}
