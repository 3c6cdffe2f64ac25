package dev.tally.invoicing.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.config.InvoicingConfig;
import dev.tally.invoicing.kafka.InvoicingConsumers;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.kafka.ConsumerWorker;
import dev.tally.platform.kafka.PollLoop;
import dev.tally.platform.kafka.RecordHeaders;
import dev.tally.platform.kafka.RejectedRecords;
import dev.tally.platform.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Consumes {@link Topics#USAGE_RATED}. Snapshots are idempotent (highest version wins), so Kafka's
 * own offsets are enough here: commit after the Postgres commit; a crash in between re-delivers
 * snapshots that change nothing.
 */
@ApplicationScoped
public class UsageConsumer implements ConsumerWorker {
    @Inject
    InvoicingConsumers consumers;
    @Inject
    UsageSnapshots snapshots;
    @Inject
    ObjectMapper json;
    @Inject
    Tracer tracer;
    @Inject
    InvoicingConfig config;

    private PollLoop loop;

    @PostConstruct
    void init() {
        loop = consumers.loop("invoicing-usage", Topics.USAGE_RATED, config.invoicing().consumer().group(), this::apply);
    }

    @Override
    public boolean enabled() {
        return consumers.enabled();
    }

    @Override
    public PollLoop loop() {
        return loop;
    }

    /** Stores the poll's snapshots (highest version wins) and sets aside the unreadable, in one transaction. */
    private void apply(ConsumerRecords<String, String> polled) throws Exception {
        List<RatedUsageV1> batch = new ArrayList<>(polled.count());
        List<RejectedRecords.Rejected> unreadable = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        try {
            for (ConsumerRecord<String, String> r : polled) {
                spans.add(TraceContext.consumerSpan(tracer, "invoice " + Topics.USAGE_RATED, RecordHeaders.string(r, Headers.TRACEPARENT)));
                try {
                    RatedUsageV1 s = json.readValue(r.value(), RatedUsageV1.class);
                    if (s.tenantId() == null || s.customerId() == null || s.meterKey() == null || s.periodStart() == null
                            || s.periodEnd() == null || s.quantity() == null) {
                        throw new IllegalArgumentException("a snapshot needs tenant, customer, meter, period and quantity");
                    }
                    batch.add(s);
                } catch (Exception e) {
                    unreadable.add(new RejectedRecords.Rejected(r, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            snapshots.store(batch, unreadable);
        } finally {
            spans.forEach(Span::end);
        }
    }
}
