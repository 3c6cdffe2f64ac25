package dev.tally.platform.asyncapi;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.model.event.RawEvent;
import dev.tally.model.messages.AcceptanceMarkerV1;
import dev.tally.model.messages.AcceptedEventV1;
import dev.tally.model.messages.AlertV1;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.CreditNoteIssuedV1;
import dev.tally.model.messages.DeadLetterV1;
import dev.tally.model.messages.EventCorrectionV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.InvoiceIssuedV1;
import dev.tally.model.messages.InvoiceStatusV1;
import dev.tally.model.messages.RatedUsageV1;
import dev.tally.model.messages.RefundStatusV1;
import dev.tally.model.messages.Topics;
import dev.tally.model.messages.WatermarkV1;
import dev.tally.platform.json.TallyJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AsyncAPI 3.0 document of Tally's Kafka topics ({@code docs/asyncapi.yaml}): the channels, who sends and who
 * receives, the record keys and headers written here; the message payloads' JSON Schemas generated from the
 * shared-model records as Tally's one JSON configuration ({@link TallyJson}) writes them — the properties Jackson
 * finds, decimals as strings, instants as RFC 3339 strings, absent rather than null.
 */
public final class AsyncApi {
    /** The JSON configuration every service uses for Kafka payloads. */
    public static final ObjectMapper JSON = TallyJson.configure(new ObjectMapper().findAndRegisterModules());
    /** A decimal written as a string (never through a double). */
    static final String DECIMAL = "^-?[0-9]+(\\.[0-9]+)?$";

    private AsyncApi() {
    }

    /** One topic: what it carries, its key, who sends and who receives. */
    record Channel(String topic, String description, String key, List<Class<?>> messages, String sender, List<String> receivers, boolean relayed) {
    }

    static final List<Channel> CHANNELS = List.of(
            new Channel(Topics.EVENTS_RAW, "Usage events from high-volume senders: one event per record, as a JSON object (the body of one event of "
                    + "POST /v1/events) or as a CloudEvent (structured, or binary with ce_* headers; docs/api.md). The sender's API key (ingest "
                    + "or admin scope) goes in header " + Headers.API_KEY + ". Ingest validates and deduplicates each like an HTTP event.",
                    "any; the customer or tenant/customer spreads load", List.of(RawEvent.class), "client", List.of("ingest"), false),
            new Channel(Topics.EVENTS_DEAD, "Raw records ingest could not accept, with the reason and where the record was.",
                    "the original record's key", List.of(DeadLetterV1.class), "ingest", List.of(), true),
            new Channel(Topics.EVENTS_ACCEPTED, "Accepted, deduplicated events and their corrections, in acceptance order per partition, and "
                    + "ingest's progress markers (one per partition each second); header " + Headers.SCHEMA + " says which.",
                    "tenantId/customerId (markers: marker/<n>)",
                    List.of(AcceptedEventV1.class, EventCorrectionV1.class, AcceptanceMarkerV1.class), "ingest", List.of("rating", "invoicing"), true),
            new Channel(Topics.USAGE_RATED, "Cumulative usage snapshots per customer, meter and period; the highest version wins.",
                    "tenantId/customerId", List.of(RatedUsageV1.class), "rating", List.of("invoicing"), true),
            new Channel(Topics.CATALOG, "The catalog (compacted): API keys, admin users, customers, meters, plan versions, subscriptions, "
                    + "limits and price overrides, the latest record per key.", "KIND/tenantId/id",
                    List.of(CatalogRecordV1.class), "invoicing", List.of("ingest", "rating"), true),
            new Channel(Topics.WATERMARKS, "Event-time watermarks per partition of " + Topics.EVENTS_ACCEPTED
                    + " (compacted): every event accepted before acceptedBefore has been rated.", "rating/<partition>", List.of(WatermarkV1.class),
                    "rating", List.of("invoicing"), true),
            new Channel(Topics.ALERTS, "Limit and spend-budget threshold crossings, one record per crossing.", "tenantId/customerId",
                    List.of(AlertV1.class), "rating", List.of("invoicing"), true),
            new Channel(Topics.INVOICES, "Finalized invoices, their status changes, credit notes and refunds; header " + Headers.SCHEMA
                    + " says which.", "tenantId/customerId",
                    List.of(InvoiceIssuedV1.class, InvoiceStatusV1.class, CreditNoteIssuedV1.class, RefundStatusV1.class), "invoicing",
                    List.of("invoicing"), true));

    /** The document, as a tree. */
    public static ObjectNode document() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("asyncapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Tally Kafka topics").put("version", "1.0.0");
        info.put("description", "Generated from the shared-model records by infra/platform's AsyncApiDocTest (do not edit by hand: run "
                + "./mvnw -pl infra/platform test -Dtest=AsyncApiDocTest -Dtally.write-docs=true). Payloads are JSON in UTF-8; decimals are "
                + "strings, instants RFC 3339 strings, absent fields mean null. Records a relay publishes carry the relay headers.");
        doc.put("defaultContentType", "application/json");
        ObjectNode local = doc.putObject("servers").putObject("local");
        local.put("host", "localhost:19092").put("protocol", "kafka").put("description", "the local stack of ./tally up");
        ObjectNode channels = doc.putObject("channels");
        ObjectNode operations = doc.putObject("operations");
        ObjectNode components = doc.putObject("components");
        ObjectNode messages = components.putObject("messages");
        ObjectNode schemas = components.putObject("schemas");
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Channel c : CHANNELS) {
            ObjectNode ch = channels.putObject(c.topic());
            ch.put("address", c.topic()).put("description", c.description());
            ObjectNode chMessages = ch.putObject("messages");
            ArrayNode opMessages = f.arrayNode();
            for (Class<?> m : c.messages()) {
                String name = m.getSimpleName();
                chMessages.putObject(name).put("$ref", "#/components/messages/" + name);
                opMessages.addObject().put("$ref", "#/channels/" + c.topic() + "/messages/" + name);
                if (!messages.has(name)) {
                    ObjectNode msg = messages.putObject(name);
                    msg.put("name", name).put("contentType", "application/json");
                    msg.putObject("payload").put("$ref", "#/components/schemas/" + name);
                    msg.putObject("headers").put("$ref", "#/components/schemas/" + (c.relayed() ? "RelayHeaders" : "RawHeaders"));
                    msg.putObject("bindings").putObject("kafka").putObject("key").put("type", "string").put("description", c.key());
                    todo.add(m);
                }
            }
            operation(operations, c.sender() + "-sends-" + c.topic(), "send", c, opMessages);
            for (String r : c.receivers()) {
                operation(operations, r + "-receives-" + c.topic(), "receive", c, opMessages);
            }
        }
        headers(schemas);
        TreeMap<String, ObjectNode> generated = new TreeMap<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!generated.containsKey(name(c))) {
                generated.put(name(c), objectSchema(c, todo));
            }
        }
        generated.forEach(schemas::set);
        return doc;
    }

    private static void operation(ObjectNode operations, String id, String action, Channel c, ArrayNode messages) {
        ObjectNode op = operations.putObject(id);
        op.put("action", action);
        op.putObject("channel").put("$ref", "#/channels/" + c.topic());
        op.set("messages", messages.deepCopy());
    }

    private static void headers(ObjectNode schemas) {
        ObjectNode relay = schemas.putObject("RelayHeaders");
        relay.put("type", "object");
        ObjectNode p = relay.putObject("properties");
        p.putObject(Headers.SCHEMA).put("type", "string").put("description", "the message's schema, e.g. AcceptedEventV1");
        p.putObject(Headers.OUTBOX_ID).put("type", "string").put("pattern", "^[0-9]+$")
                .put("description", "the outbox row the record came from; a re-published row repeats it (consumers dedupe on it with "
                        + Headers.POSITION + ")");
        p.putObject(Headers.POSITION).put("type", "string").put("pattern", "^[0-9]+$").put("description", "the record's position in its outbox row");
        p.putObject(Headers.TRACEPARENT).put("type", "string").put("description", "W3C trace context of the request that caused the record");
        relay.putArray("required").add(Headers.SCHEMA).add(Headers.OUTBOX_ID).add(Headers.POSITION);
        ObjectNode raw = schemas.putObject("RawHeaders");
        raw.put("type", "object");
        ObjectNode rp = raw.putObject("properties");
        rp.putObject(Headers.API_KEY).put("type", "string").put("description", "the sender's API key (ingest or admin scope)");
        rp.putObject("content-type").put("type", "string").put("description", "application/cloudevents+json for a structured CloudEvent");
        rp.putObject("ce_specversion").put("type", "string").put("description", "with ce_id, ce_source, ce_type, ce_time, ce_subject or "
                + "ce_customer: a CloudEvent in binary mode");
        raw.putArray("required").add(Headers.API_KEY);
    }

    static String name(Class<?> c) {
        String enclosing = c.getEnclosingClass() == null ? "" : name(c.getEnclosingClass());
        return enclosing + c.getSimpleName();
    }

    /** A record's (or bean's) schema: the properties Jackson serializes; primitives are always present. */
    private static ObjectNode objectSchema(Class<?> c, Deque<Class<?>> todo) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        if (c.isSealed() && c.isInterface()) {
            ArrayNode oneOf = s.putArray("oneOf");
            for (Class<?> sub : c.getPermittedSubclasses()) {
                oneOf.addObject().put("$ref", "#/components/schemas/" + name(sub));
                todo.add(sub);
            }
            return s;
        }
        s.put("type", "object");
        s.put("x-java-type", c.getName());
        ObjectNode props = s.putObject("properties");
        ArrayNode required = JsonNodeFactory.instance.arrayNode();
        BeanDescription bean = JSON.getSerializationConfig().introspect(JSON.constructType(c));
        for (BeanPropertyDefinition p : bean.findProperties()) {
            if (!p.couldSerialize()) {
                continue;
            }
            JavaType t = p.getPrimaryType();
            props.set(p.getName(), type(t, todo));
            if (t.isPrimitive()) {
                required.add(p.getName());
            }
        }
        if (!required.isEmpty()) {
            s.set("required", required);
        }
        s.put("additionalProperties", false);
        return s;
    }

    private static ObjectNode type(JavaType t, Deque<Class<?>> todo) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        Class<?> raw = t.getRawClass();
        if (raw == String.class || raw == char.class || raw == Character.class) {
            s.put("type", "string");
        } else if (raw == BigDecimal.class) {
            s.put("type", "string").put("pattern", DECIMAL);
        } else if (raw == Instant.class) {
            s.put("type", "string").put("format", "date-time");
        } else if (raw == LocalDate.class) {
            s.put("type", "string").put("format", "date");
        } else if (raw == boolean.class || raw == Boolean.class) {
            s.put("type", "boolean");
        } else if (raw == int.class || raw == long.class || raw == short.class || raw == Integer.class || raw == Long.class || raw == Short.class
                || raw == BigInteger.class) {
            s.put("type", "integer");
        } else if (raw == double.class || raw == float.class || raw == Double.class || raw == Float.class) {
            s.put("type", "number");
        } else if (raw.isEnum()) {
            s.put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object constant : raw.getEnumConstants()) {
                values.add(JSON.convertValue(constant, String.class));
            }
        } else if (t.isMapLikeType()) {
            s.put("type", "object");
            JavaType value = t.getContentType();
            if (value.getRawClass() != Object.class) {
                s.set("additionalProperties", type(value, todo));
            }
        } else if (t.isCollectionLikeType() || t.isArrayType()) {
            s.put("type", "array");
            JavaType item = t.getContentType();
            if (item.getRawClass() != Object.class) {
                s.set("items", type(item, todo));
            }
        } else if (raw == Object.class) {
            s.put("description", "any JSON value");
        } else if (raw.getName().startsWith("dev.tally.model.")) {
            s.put("$ref", "#/components/schemas/" + name(raw));
            todo.add(raw);
        } else if (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) {
            throw new IllegalStateException("untyped container " + t);
        } else {
            throw new IllegalStateException("no JSON Schema mapping for " + t + ": add one to AsyncApi.type");
        }
        return s;
    }
}
