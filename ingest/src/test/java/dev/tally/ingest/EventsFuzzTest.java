package dev.tally.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.kafka.KafkaClients;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes POST /v1/events with mutated bodies. Whatever arrives, the answer is 200, or a documented 4xx as
 * problem+json (docs/api.md: 400, 413, 415; 422 allowed), never a 5xx and never a stack trace; and the
 * dedup table holds exactly the events answered {@code accepted} — checked after every request, so a
 * mismatch names the body that caused it. The seed is fixed: a failure reproduces.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class EventsFuzzTest {
    private static final long SEED = 0x7a11_f022_2026L;
    private static final int MUTATIONS = 300;
    private static final Set<Integer> ALLOWED = Set.of(200, 400, 413, 415, 422);

    @Inject
    KafkaClients kafka;
    @Inject
    ObjectMapper json;
    @Inject
    CatalogView catalog;
    @Inject
    DataSource dataSource;

    /** Byte sequences a fuzzer should try: invalid and tricky UTF-8, JSON escapes and structure, numbers at the edges. */
    private static final List<byte[]> DICTIONARY = new ArrayList<>();

    static {
        for (int[] raw : new int[][] {{0x00}, {0xff}, {0xfe}, {0x80}, {0xc0, 0x80}, {0xc3}, {0xed, 0xa0, 0x80}, {0xed, 0xb0, 0x80},
                {0xf4, 0x90, 0x80, 0x80}, {0xe2, 0x82}, {0xef, 0xbb, 0xbf}, {0xe2, 0x80, 0xa8}, {0x7f}, {0x1b}}) {
            byte[] b = new byte[raw.length];
            for (int i = 0; i < raw.length; i++) {
                b[i] = (byte) raw[i];
            }
            DICTIONARY.add(b);
        }
        for (String s : new String[] {"\"", "\\", "{", "}", "[", "]", ",", ":", "\\u0000", "\\ud800", "\\udc00", "\\udbff\\udfff",
                "\\u001f", "\\u007f", "\\\"", "\\n", "\n", "\t", "\r", " ", "null", "true", "-0", "1e2147483647", "100e2147483647",
                "1e-2147483648", "1e400", "NaN", "Infinity", "\"\"", "{}", "[]", "[[[[[[[[[[[[[[[[[[[[[[[[", "{\"a\":",
                "\"events\":", "\"id\":", "\"properties\":{\"x\":{}}", "9".repeat(1200)}) {
            DICTIONARY.add(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A body of good events: ids start with {@code prefix}, so no two bodies share an id. */
    private static byte[] goodBody(String prefix, Random random) {
        Instant now = Instant.now();
        StringBuilder events = new StringBuilder();
        for (int k = 0; k < 5; k++) {
            String timestamp = k == 4 ? "" : ",\"timestamp\":\"" + now.minusSeconds(random.nextInt(3600)).toString() + "\"";
            events.append(k == 0 ? "" : ",").append("{\"id\":\"").append(prefix).append('-').append(k)
                    .append("\",\"type\":\"bandwidth\",\"customer\":\"acme\"").append(timestamp)
                    .append(",\"properties\":{\"bytes\":").append(random.nextInt(1_000_000)).append(",\"region\":\"eu\",\"ratio\":0.25}}");
        }
        String body = random.nextBoolean() ? "{\"events\":[" + events + "]}" : "[" + events + "]";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void randomlyMutatedBodiesGetHonestAnswersAndStoreExactlyWhatWasAccepted() throws Exception {
        IngestTestSupport.Fixture f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        Random random = new Random(SEED);
        Tally tally = new Tally();
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] body = goodBody("m" + i, random);
            StringBuilder how = new StringBuilder();
            int rounds = random.nextInt(4) == 0 ? 2 + random.nextInt(2) : 1;
            for (int r = 0; r < rounds; r++) {
                body = mutate(body, random, "m" + i + "b", how);
            }
            send(f, "mutation " + i + " (seed " + SEED + ", " + how + ")", body, tally);
        }
        assertStillHealthy(f, tally);
        System.out.println("EventsFuzzTest random mutations: answers by status " + tally.statuses + ", events accepted " + tally.accepted);
        // the fuzzing reached every kind of answer, not just one
        assertThat(tally.statuses).as("answers by status").containsKeys(200, 400);
        assertThat(tally.accepted).as("events accepted in all").isPositive();
    }

    /**
     * Each dictionary entry inside each field of one otherwise good event: the deterministic complement of the
     * random mutations (an entry that lands inside an id, say, is rare by chance).
     */
    @Test
    void hostileBytesInEachFieldGetHonestAnswersAndStoreExactlyWhatWasAccepted() throws Exception {
        IngestTestSupport.Fixture f = IngestTestSupport.tenantWithCustomer(kafka, json, catalog, "ingest");
        Random random = new Random(SEED + 1);
        Tally tally = new Tally();
        String[] fields = {"id", "type", "customer", "timestamp", "key", "text", "number"};
        int n = 0;
        for (String field : fields) {
            for (byte[] token : DICTIONARY) {
                String prefix = "d" + n++;
                String before = new String(goodBody(prefix, random), StandardCharsets.UTF_8);
                // the middle event (id prefix-2) carries the token
                int event = before.indexOf("{\"id\":\"" + prefix + "-2\"");
                int at = switch (field) {
                    case "id" -> before.indexOf('"', event + 7);
                    case "type" -> before.indexOf("bandwidth", event) + 4;
                    case "customer" -> before.indexOf("acme", event) + 2;
                    case "timestamp" -> before.indexOf("Z\"", event);
                    case "key" -> before.indexOf("region", event) + 3;
                    case "text" -> before.indexOf("\"eu\"", event) + 2;
                    default -> before.indexOf("0.25", event) + 4;
                };
                byte[] head = before.substring(0, at).getBytes(StandardCharsets.UTF_8);
                byte[] tail = before.substring(at).getBytes(StandardCharsets.UTF_8);
                if (field.equals("number")) { // the token replaces the number
                    head = before.substring(0, at - 4).getBytes(StandardCharsets.UTF_8);
                }
                byte[] body = concat(head, token, tail);
                send(f, "token " + escape(token) + " in " + field, body, tally);
            }
        }
        assertStillHealthy(f, tally);
        System.out.println("EventsFuzzTest dictionary sweep: answers by status " + tally.statuses + ", events accepted " + tally.accepted);
        assertThat(tally.statuses).as("answers by status").containsKeys(200, 400);
    }

    // ------------------------------------------------------------------------------------------------ the checks

    /** Running sums over one test's requests. */
    private static final class Tally {
        long accepted;
        final Map<Integer, Integer> statuses = new TreeMap<>();
    }

    /** Posts one body and checks its answer and the dedup table; returns the status and (for a 200) the accepted count. */
    private int[] send(IngestTestSupport.Fixture f, String what, byte[] body, Tally tally) throws Exception {
        ExtractableResponse<Response> r = post(f, body);
        for (int attempt = 0; r.statusCode() == 429 && attempt < 20; attempt++) { // the test profile's rate limit: wait as told
            assertThat(r.contentType()).startsWith("application/problem+json");
            Thread.sleep(1000L * Math.max(1, Math.min(5, Long.parseLong(r.header("Retry-After")))));
            r = post(f, body);
        }
        String context = what + "\n  body (" + body.length + " bytes): " + escape(body);
        String answer = r.asString();
        String shown = context + "\n  answer " + r.statusCode() + " " + r.contentType() + ": " + answer;
        tally.statuses.merge(r.statusCode(), 1, Integer::sum);
        assertThat(r.statusCode()).as("status, never a 5xx: %s", shown).isIn(ALLOWED);
        assertThat(answer).as("no stack trace: %s", shown).doesNotContain("at dev.tally", "Exception", "\tat ", "\n\tat");
        int accepted = 0;
        if (r.statusCode() == 200) {
            JsonNode node = json.readTree(answer);
            accepted = node.path("accepted").asInt(-1);
            int answered = 0;
            for (JsonNode result : node.path("results")) {
                if ("accepted".equals(result.path("outcome").asText())) {
                    answered++;
                }
            }
            assertThat(accepted).as("accepted count = results marked accepted: %s", shown).isEqualTo(answered);
            tally.accepted += accepted;
        } else {
            assertThat(r.contentType()).as("problem+json: %s", shown).startsWith("application/problem+json");
            assertThat(json.readTree(answer).path("status").asInt()).as("problem status: %s", shown).isEqualTo(r.statusCode());
        }
        assertThat(storedKeys(f)).as("dedup keys stored = events answered accepted, after: %s", shown).isEqualTo(tally.accepted);
        return new int[] {r.statusCode(), accepted};
    }

    private void assertStillHealthy(IngestTestSupport.Fixture f, Tally tally) throws Exception {
        String good = "[{\"id\":\"after-fuzz\",\"type\":\"bandwidth\",\"customer\":\"acme\",\"timestamp\":\"" + Instant.now()
                + "\",\"properties\":{\"bytes\":1}}]";
        int[] answer = send(f, "a good event after the fuzzing", good.getBytes(StandardCharsets.UTF_8), tally);
        assertThat(answer).as("a good event after the fuzzing: status 200, 1 accepted").containsExactly(200, 1);
        assertThat(storedIds(f)).as("the good event is stored").contains("after-fuzz");
        assertThat(storedKeys(f)).as("stored keys = all accepted answers").isEqualTo(tally.accepted);
    }

    private static ExtractableResponse<Response> post(IngestTestSupport.Fixture f, byte[] body) {
        return given().header("Authorization", "Bearer " + f.key()).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().extract();
    }

    private long storedKeys(IngestTestSupport.Fixture f) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from event_key where tenant_id = ?")) {
            ps.setString(1, f.tenantId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<String> storedIds(IngestTestSupport.Fixture f) throws Exception {
        return IngestTestSupport.storedIds(dataSource, f.tenantId());
    }

    // ------------------------------------------------------------------------------------------------ mutations

    /** One byte-level mutation of {@code body}; {@code how} records it. */
    private static byte[] mutate(byte[] body, Random random, String splicePrefix, StringBuilder how) {
        int n = body.length;
        int kind = random.nextInt(8);
        int at = n == 0 ? 0 : random.nextInt(n);
        byte[] out;
        switch (kind) {
            case 0 -> { // flip one bit or replace a byte
                out = body.clone();
                if (n > 0) {
                    out[at] = random.nextBoolean() ? (byte) (out[at] ^ (1 << random.nextInt(8))) : (byte) random.nextInt(256);
                }
                how.append("flip@").append(at).append(' ');
            }
            case 1 -> { // delete a span
                int len = Math.min(n - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 64));
                out = concat(slice(body, 0, at), slice(body, at + len, n));
                how.append("delete@").append(at).append('+').append(len).append(' ');
            }
            case 2 -> { // duplicate a span somewhere
                int len = Math.min(n - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 200));
                int to = random.nextInt(n + 1);
                out = concat(slice(body, 0, to), slice(body, at, at + len), slice(body, to, n));
                how.append("duplicate@").append(at).append('+').append(len).append("->").append(to).append(' ');
            }
            case 3 -> { // random bytes, any value
                byte[] junk = new byte[1 + random.nextInt(8)];
                random.nextBytes(junk);
                out = concat(slice(body, 0, at), junk, slice(body, at, n));
                how.append("insert-random@").append(at).append(' ');
            }
            case 4 -> { // a dictionary entry anywhere
                byte[] token = DICTIONARY.get(random.nextInt(DICTIONARY.size()));
                out = concat(slice(body, 0, at), token, slice(body, at, n));
                how.append("insert@").append(at).append(' ').append(escape(token)).append(' ');
            }
            case 5 -> { // a dictionary entry inside a string (right after a quote)
                List<Integer> quotes = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (body[i] == '"') {
                        quotes.add(i + 1);
                    }
                }
                int q = quotes.isEmpty() ? at : quotes.get(random.nextInt(quotes.size()));
                byte[] token = DICTIONARY.get(random.nextInt(DICTIONARY.size()));
                out = concat(slice(body, 0, q), token, slice(body, q, n));
                how.append("insert-in-string@").append(q).append(' ').append(escape(token)).append(' ');
            }
            case 6 -> { // truncate
                out = slice(body, 0, at);
                how.append("truncate@").append(at).append(' ');
            }
            default -> { // splice: this body's head, another body's tail
                byte[] other = goodBody(splicePrefix, random);
                int from = random.nextInt(other.length + 1);
                out = concat(slice(body, 0, at), slice(other, from, other.length));
                how.append("splice@").append(at).append("+other@").append(from).append(' ');
            }
        }
        return out;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, Math.max(0, Math.min(from, b.length)), Math.max(0, Math.min(to, b.length)));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Printable ASCII as is (backslash doubled), every other byte as \xNN: lossless, so a failure can be replayed. */
    static String escape(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length + 16);
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c == '\\') {
                b.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        return b.toString();
    }
}
