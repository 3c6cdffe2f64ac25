package dev.tally.invoicing.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Topics;
import dev.tally.platform.outbox.Outbox;
import dev.tally.platform.outbox.OutboxRecord;
import dev.tally.platform.tracing.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** Announces catalog changes on {@link Topics#CATALOG} through the outbox, in the caller's transaction. */
@ApplicationScoped
public class CatalogPublisher {
    @Inject
    Outbox outbox;
    @Inject
    ObjectMapper json;

    public void publish(CatalogRecordV1 record) {
        try {
            outbox.append(Topics.CATALOG, CatalogRecordV1.SCHEMA,
                    List.of(new OutboxRecord(record.key(), json.writeValueAsString(record), TraceContext.current())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
