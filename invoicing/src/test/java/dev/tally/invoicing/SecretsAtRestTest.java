package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.OPERATOR;
import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.tenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.platform.security.SecretBox;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Secrets at rest against real Postgres: a dump of every invoicing table holds no Stripe key, webhook signing secret
 * or endpoint secret, yet they work; a value on an older key and a plaintext from before encryption are moved to the
 * current key by the rotation, and read the same after it.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class SecretsAtRestTest extends BillingTest {

    @Test
    void aDatabaseDumpHoldsNoSecretAndRotationMovesEveryValueToTheCurrentKey() throws Exception {
        Tenant t = tenant("Secrets at rest");
        String apiKey = "sk_test_" + UUID.randomUUID().toString().replace("-", "");
        String signing = "whsec_" + UUID.randomUUID().toString().replace("-", "");
        given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body("{\"provider\":\"stripe\",\"apiKey\":\"" + apiKey + "\",\"webhookSecret\":\"" + signing + "\"}").put("/v1/payment-provider").then()
                .statusCode(200);
        String endpointSecret = post(t, "/v1/webhooks", "{\"url\":\"https://billing.example/tally\"}").statusCode(201).extract().path("secret");
        String hint = "…" + apiKey.substring(apiKey.length() - 4);

        String dump = dump();
        assertThat(dump).as("a dump of every table").doesNotContain(apiKey).doesNotContain(signing).doesNotContain(endpointSecret)
                .doesNotContain(apiKey.substring(8, 30)).contains("tse1:test-2:");
        get(t, "/v1/payment-provider").statusCode(200).body("apiKeyHint", equalTo(hint));

        // a value sealed with the older key, and a plaintext from before encryption
        String olderKey = ConfigProvider.getConfig().getValue("tally.secrets.keys", String.class).split(",")[1];
        execute("update payment_provider set api_key = ?, webhook_secret = ? where tenant_id = ?",
                SecretBox.of(olderKey).seal(apiKey, PaymentProviders.apiKeyContext(t.id())), signing, t.id());
        get(t, "/v1/payment-provider").statusCode(200).body("apiKeyHint", equalTo(hint)); // the older key still opens

        given().header("Authorization", "Bearer " + t.key()).post("/v1/admin/secrets/rotate").then().statusCode(401);
        JsonPath r = given().header("Authorization", "Bearer " + OPERATOR).post("/v1/admin/secrets/rotate").then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("currentKid")).isEqualTo("test-2");
        assertThat(r.getInt("sealed")).isGreaterThanOrEqualTo(1);
        assertThat(r.getInt("rewrapped")).isGreaterThanOrEqualTo(1);
        List<String> stored = strings("select api_key, webhook_secret from payment_provider where tenant_id = ?", t.id());
        assertThat(stored).allSatisfy(v -> assertThat(v).startsWith("tse1:test-2:"));
        SecretBox current = SecretBox.of(ConfigProvider.getConfig().getValue("tally.secrets.keys", String.class).split(",")[0]);
        assertThat(current.open(stored.get(0), PaymentProviders.apiKeyContext(t.id()))).as("the current key alone opens it").isEqualTo(apiKey);
        assertThat(current.open(stored.get(1), PaymentProviders.webhookSecretContext(t.id()))).isEqualTo(signing);
        assertThat(dump()).doesNotContain(signing);
        JsonPath again = given().header("Authorization", "Bearer " + OPERATOR).post("/v1/admin/secrets/rotate").then().statusCode(200).extract()
                .jsonPath();
        assertThat(again.getInt("sealed") + again.getInt("rewrapped")).as("nothing left to move").isZero();
    }

    /** Every row of every table in invoicing's schema, as COPY writes it: what a database dump holds. */
    private String dump() throws Exception {
        StringWriter out = new StringWriter();
        try (Connection c = dataSource.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).contains("payment_provider", "webhook_endpoint", "audit_log");
            for (String table : tables) {
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy \"" + table + "\" to stdout", out);
            }
        }
        return out.toString();
    }

    private void execute(String sql, String... args) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private List<String> strings(String sql, String arg) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        out.add(rs.getString(i));
                    }
                }
            }
        }
        return out;
    }
}
