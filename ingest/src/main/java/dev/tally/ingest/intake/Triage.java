package dev.tally.ingest.intake;

import com.fasterxml.jackson.databind.JsonNode;

import dev.tally.ingest.api.EventsRequest;
import dev.tally.model.attribution.AttributionIndex;
import dev.tally.model.event.EventValidator;
import dev.tally.model.event.RawEvent;
import dev.tally.model.event.Rejection;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.MeterDefinition;
import dev.tally.platform.catalog.CatalogView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What happens to one event, whichever door it came in by (HTTP or the raw Kafka topic): validated,
 * then attributed to a customer with the catalog's aliases. The answer is admit, quarantine (valid
 * but nobody's yet) or reject.
 */
@ApplicationScoped
public class Triage {
    /** Event properties that attribute an event without a {@code customer}: the traffic's source. */
    public static final String IP_PROPERTY = "ip";
    public static final String HOSTNAME_PROPERTY = "hostname";

    @Inject
    CatalogView catalog;

    public sealed interface Verdict permits Admit, Quarantine, Reject {
    }

    public record Admit(UsageEvent event, String customerId, String attributedBy) implements Verdict {
    }

    public record Quarantine(UsageEvent event, QuarantineReason reason, Rejection rejection) implements Verdict {
    }

    public record Reject(Rejection rejection) implements Verdict {
    }

    /**
     * Read-your-writes, once per request: the first event that finds no customer waits until
     * the catalog view has read everything published before ({@link CatalogView#READ_YOUR_WRITES} at most), then is
     * judged again — a customer or meter created a moment ago is known. Later events of the request are judged at once.
     */
    public static final class CatchUp {
        private boolean done;

        boolean first() {
            boolean was = done;
            done = true;
            return !was;
        }
    }

    /** As {@link #triage(String, String, EventsRequest.EventBody, EventValidator, Instant, CatchUp)} without waiting (a poll already caught up). */
    public Verdict triage(String tenantId, String keyId, EventsRequest.EventBody e, EventValidator validator, Instant now) {
        return triage(tenantId, keyId, e, validator, now, null);
    }

    public Verdict triage(String tenantId, String keyId, EventsRequest.EventBody e, EventValidator validator, Instant now, CatchUp catchUp) {
        Verdict v = judge(tenantId, keyId, e, validator, now);
        if (v instanceof Quarantine && catchUp != null && catchUp.first() && catalog.awaitCaughtUp(CatalogView.READ_YOUR_WRITES)) {
            return judge(tenantId, keyId, e, validator, now);
        }
        return v;
    }

    private Verdict judge(String tenantId, String keyId, EventsRequest.EventBody e, EventValidator validator, Instant now) {
        if (e.properties() != null && !e.properties().isObject() && !e.properties().isNull()) {
            return new Reject(new Rejection("invalid_property", "properties", "properties must be an object"));
        }
        var outcome = validator.validate(new RawEvent(e.id(), e.type(), e.customer(), e.timestamp(), properties(e.properties())), now);
        if (outcome instanceof EventValidator.Invalid invalid) {
            return new Reject(invalid.rejection());
        }
        UsageEvent event = ((EventValidator.Valid) outcome).event();
        Rejection unmeasurable = checkMeters(tenantId, event);
        if (unmeasurable != null) {
            return new Reject(unmeasurable);
        }
        CatalogView.Attributed attributed = catalog.attribute(tenantId, new AttributionIndex.Source(event.customer(),
                text(event.properties().get(IP_PROPERTY)), text(event.properties().get(HOSTNAME_PROPERTY)), keyId));
        if (attributed != null) {
            return new Admit(event, attributed.customer().customerId(), attributed.via());
        }
        if (event.customer() != null) {
            return new Quarantine(event, QuarantineReason.UNKNOWN_CUSTOMER, new Rejection(QuarantineReason.UNKNOWN_CUSTOMER.wire(), "customer", "no customer or alias '"
                    + event.customer() + "' in this tenant; kept in quarantine until the mapping is fixed and the quarantine replayed"));
        }
        return new Quarantine(event, QuarantineReason.UNATTRIBUTED, new Rejection(QuarantineReason.UNATTRIBUTED.wire(), "customer", "no customer given, and no customer owns"
                + " this event's " + IP_PROPERTY + ", " + HOSTNAME_PROPERTY + " or API key; kept in quarantine until the mapping is fixed"
                + " and the quarantine replayed"));
    }

    /** Whether every meter of the tenant that this event belongs to can read it (a numeric property holds a number). */
    public Rejection checkMeters(String tenantId, UsageEvent event) {
        for (MeterDefinition m : catalog.definitions(tenantId)) {
            Rejection r = m.check(event);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    /** JSON numbers become exact BigDecimals (the mapper never reads them as double). */
    public static Map<String, Object> properties(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            Object value = v.isNumber() ? v.decimalValue() : v.isTextual() ? v.textValue() : v.isBoolean() ? (Object) v.booleanValue() : v;
            out.put(f.getKey(), value);
        }
        return out;
    }
}
