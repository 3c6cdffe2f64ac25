package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ingest.api.CloudEvents;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.messages.Headers;
import dev.tally.model.messages.Topics;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.testing.LocalStackResource;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CloudEvents from the official Java SDK, as a sender who has never read Tally's docs would send them (issue 21): HTTP
 * binary mode (the SDK's default) and structured mode, Kafka binary and structured mode — each accepted once, with its
 * data as the event's properties; a request in a shape Tally does not read is told which modes it does.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CloudEventsTest {
    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @TestHTTPResource("/v1/events")
    URL events;

    IngestTestSupport.Fixture f;

    @BeforeEach
    void tenant() throws Exception {
        f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        IngestTestSupport.publish(kafka, json, catalog, CatalogRecordV1.of(new CatalogRecordV1.Meter(f.tenantId(), "bytes",
                "com.example.bandwidth", "SUM", "bytes")));
    }

    private static CloudEvent event(String id, boolean customerExtension) {
        CloudEventBuilder b = CloudEventBuilder.v1().withId(id).withSource(URI.create("/gateway/eu-1")).withType("com.example.bandwidth")
                .withTime(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5))
                .withData("application/json", "{\"bytes\":1500,\"region\":\"eu\"}".getBytes(StandardCharsets.UTF_8));
        return customerExtension ? b.withExtension("customer", "acme").build() : b.withSubject("acme").build();
    }

    /** Sends {@code e} with the SDK's HTTP writer; the answer's status and body. */
    private Answer send(CloudEvent e, boolean structured) throws Exception {
        HttpURLConnection c = (HttpURLConnection) events.openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Authorization", "Bearer " + f.key());
        var writer = HttpMessageFactory.createWriter(c::setRequestProperty, body -> {
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        if (structured) {
            writer.writeStructured(e, new JsonFormat());
        } else {
            writer.writeBinary(e);
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            return new Answer(status, new JsonPath(new String(in.readAllBytes(), StandardCharsets.UTF_8)), c.getContentType());
        }
    }

    record Answer(int status, JsonPath body, String contentType) {
    }

    private void acceptedWithItsData(String id) {
        given().header("Authorization", "Bearer " + f.key()).get("/v1/events/" + id).then().statusCode(200)
                .body("status", equalTo("accepted")).body("current.properties.bytes", equalTo("1500"))
                .body("current.customerId", equalTo(f.customerId()));
    }

    @Test
    void theSdksHttpBinaryAndStructuredModesAreAcceptedOnce() throws Exception {
        Answer binary = send(event("ce-bin-1", true), false);
        assertThat(binary.status()).as(binary.body().prettify()).isEqualTo(200);
        assertThat(binary.body().getInt("accepted")).isEqualTo(1);
        acceptedWithItsData("ce-bin-1");
        // the subject names the customer when the extension is absent; a re-send is a duplicate
        assertThat(send(event("ce-bin-2", false), false).body().getInt("accepted")).isEqualTo(1);
        assertThat(send(event("ce-bin-2", false), false).body().getInt("duplicates")).isEqualTo(1);
        Answer structured = send(event("ce-str-1", true), true);
        assertThat(structured.status()).as(structured.body().prettify()).isEqualTo(200);
        assertThat(structured.body().getInt("accepted")).isEqualTo(1);
        acceptedWithItsData("ce-str-1");
    }

    @Test
    void aBinaryEventWithoutASourceOrWithDataThatIsNotJsonIsToldWhatIsMissing() throws Exception {
        given().header("Authorization", "Bearer " + f.key()).header("ce-specversion", "1.0").header("ce-id", "no-source")
                .header("ce-type", "com.example.bandwidth").header("ce-subject", "acme").contentType(ContentType.JSON).body("{\"bytes\":1}")
                .post("/v1/events").then().statusCode(400).contentType(containsString("problem+json"))
                .body("errors[0].field", equalTo("events[0].source")).body("errors[0].code", equalTo("missing_field"));
        given().header("Authorization", "Bearer " + f.key()).header("ce-specversion", "1.0").header("ce-id", "text").header("ce-source", "/x")
                .header("ce-type", "com.example.bandwidth").header("ce-subject", "acme").contentType("text/plain").body("1500 bytes")
                .post("/v1/events").then().statusCode(415).contentType(containsString("problem+json"))
                .body("detail", containsString("binary mode")).body("detail", containsString("application/json"));
        // a structured CloudEvent sent as application/json is named for what it is, with the modes Tally reads
        given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body("""
                {"specversion":"1.0","id":"x","source":"/x","type":"com.example.bandwidth","subject":"acme","data":{"bytes":1}}""")
                .post("/v1/events").then().statusCode(400).body("type", containsString("cloudevent-content-type"))
                .body("detail", containsString(CloudEvents.STRUCTURED)).body("detail", containsString("ce-specversion"));
        given().header("Authorization", "Bearer " + f.key()).get("/v1/events/no-source").then().statusCode(404);
    }

    @Test
    void theSdksKafkaBinaryAndStructuredModesAreAcceptedOnce() throws Exception {
        for (Encoding encoding : new Encoding[] {Encoding.BINARY, Encoding.STRUCTURED}) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
            kafka.security(p);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class.getName());
            p.put(CloudEventSerializer.ENCODING_CONFIG, encoding.name());
            p.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
            try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(p)) {
                ProducerRecord<String, CloudEvent> r = new ProducerRecord<>(Topics.EVENTS_RAW, f.tenantId(), event("ce-kafka-" + encoding, true));
                r.headers().add(Headers.API_KEY, f.key().getBytes(StandardCharsets.UTF_8));
                producer.send(r).get();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Encoding encoding : new Encoding[] {Encoding.BINARY, Encoding.STRUCTURED}) {
            while (given().header("Authorization", "Bearer " + f.key()).get("/v1/events/ce-kafka-" + encoding).statusCode() != 200) {
                assertThat(System.nanoTime()).as(encoding + " accepted from the raw topic").isLessThan(deadline);
                Thread.sleep(200);
            }
            acceptedWithItsData("ce-kafka-" + encoding);
        }
    }

    @Test
    void percentEncodedHeaderValuesAreDecodedAsTheHttpBindingWritesThem() {
        assertThat(CloudEvents.percentDecoded("caf%C3%A9%20%22x%22%25")).isEqualTo("café \"x\"%");
        assertThat(CloudEvents.percentDecoded("plain")).isEqualTo("plain");
        assertThat(CloudEvents.percentDecoded("bad%zzescape%4")).isEqualTo("bad%zzescape%4");
        assertThat(CloudEvents.percentDecoded("%E2%82%AC")).isEqualTo("€");
    }
}
