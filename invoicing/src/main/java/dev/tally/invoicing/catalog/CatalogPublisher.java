package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import dev.tally.platform.tracing.TraceContext;
import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Announces catalog changes on {@link Topics#CATALOG} through the outbox, in the caller's transaction; a request's
 * records are remembered ({@link CatalogWrites}) so that its answer can wait until they are published.
 */
@ApplicationScoped
public class CatalogPublisher {
    @Inject
    Outbox outbox;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogWrites writes;

    public void publish(CatalogRecordV1 record) {
        publishAll(List.of(record));
    }

    /** The records in order, in one outbox append (an import's thousands of rows). */
    public void publishAll(List<CatalogRecordV1> records) {
        if (records.isEmpty()) {
            return;
        }
        List<OutboxRecord> rows = new ArrayList<>(records.size());
        String trace = TraceContext.current();
        try {
            for (CatalogRecordV1 r : records) {
                rows.add(new OutboxRecord(r.key(), json.writeValueAsString(r), trace));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long id = outbox.append(Topics.CATALOG, CatalogRecordV1.SCHEMA, rows);
        if (Arc.container().requestContext().isActive()) {
            writes.wrote(id); // a request's answer waits until it is published (read-your-writes)
        }
    }
}
