package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.get;
import static dev.tally.invoicing.BillingFixture.monthStart;
import static dev.tally.invoicing.BillingFixture.post;
import static dev.tally.invoicing.BillingFixture.setUp;
import static dev.tally.invoicing.BillingFixture.tenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.invoicing.finance.WarehouseExport;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The warehouse export (docs/finance.md) on real invoices: a day's invoices, lines, status changes and credit notes as
 * Parquet files any reader opens, a manifest whose hashes are the files'; exported once (a second round skips the day
 * and touches nothing); after a crash before the manifest row (the row gone, a temporary file left) the next round writes
 * the very same files; a forced re-run too; the API refuses a day not over, a bad day, an unknown tenant.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class WarehouseExportTest extends BillingTest {
    private static final String OPERATOR = BillingFixture.OPERATOR;

    @Inject
    WarehouseExport export;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    @Test
    void aDaysBillingFactsAreExportedOnceAndARerunWritesTheSameFiles() throws Exception {
        Tenant t = tenant("Warehouse");
        List<String> ids = setUp(t, monthStart(-1), "wa", "wb");
        fixture().usage(t, ids.get(0), 1, monthStart(-1), monthStart(0), "10000");
        fixture().usage(t, ids.get(1), 1, monthStart(-1), monthStart(0), "20000");
        assertThat(closer.closeTenant(t.id(), Instant.parse(monthStart(0)), "watermark", Instant.now())).isEqualTo(2);
        String wa = get(t, "/v1/invoices?customer=wa").extract().path("invoices[0].invoiceId");
        String wb = get(t, "/v1/invoices?customer=wb").extract().path("invoices[0].invoiceId");
        post(t, "/v1/invoices/" + wb + "/payments", "{\"reference\":\"bank-9\",\"amount\":\"20.00\"}").statusCode(200);
        post(t, "/v1/invoices/" + wa + "/credit-notes", "{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"4.00\"}],\"reason\":\"outage\"}")
                .statusCode(201);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        WarehouseExport.Day day = export.export(t.id(), today, false, "test");
        assertThat(day.exportedNow()).isTrue();
        assertThat(day.files()).extracting(WarehouseExport.File::table).containsExactlyElementsOf(WarehouseExport.tables());
        Path root = Path.of("target", "warehouse");
        assertThat(rows(root.resolve(file(day, "invoices")), "select customer, total, amount_due, currency from r order by customer"))
                .containsExactly("wa 10.000000000 10.000000000 USD", "wb 20.000000000 20.000000000 USD");
        assertThat(rows(root.resolve(file(day, "invoice_lines")), "select line_type, meter, quantity, amount from r order by amount"))
                .containsExactly("usage bandwidth 10000 10.000000000", "usage bandwidth 20000 20.000000000");
        assertThat(rows(root.resolve(file(day, "invoice_status")), "select invoice_id, status, detail from r")).containsExactly(wb + " paid bank-9");
        assertThat(rows(root.resolve(file(day, "credit_notes")), "select invoice_id, total, applied_to_due, settle_to from r"))
                .containsExactly(wa + " 4.000000000 4.000000000 refund");
        JsonNode manifest = json.readTree(root.resolve(day.manifest()).toFile());
        assertThat(manifest.path("day").asText()).isEqualTo(today.toString());
        for (JsonNode f : manifest.path("files")) {
            assertThat(f.path("sha256").asText()).as(f.path("path").asText()).isEqualTo(sha256(root.resolve(f.path("path").asText())));
        }
        List<String> hashes = day.files().stream().map(WarehouseExport.File::sha256).toList();

        // once: a second round skips the day and writes nothing
        FileTime written = Files.getLastModifiedTime(root.resolve(day.manifest()));
        Thread.sleep(20);
        assertThat(export.export(t.id(), today, false, "test").exportedNow()).isFalse();
        assertThat(Files.getLastModifiedTime(root.resolve(day.manifest()))).isEqualTo(written);
        assertThat(fixture().count("select count(*) from warehouse_export where tenant_id = ?", t.id())).isEqualTo(1);

        // a crash before the row: the row never committed, a temporary file left behind; the next round writes the same files
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().executeUpdate("delete from warehouse_export where tenant_id = '" + t.id() + "'");
        }
        Files.writeString(root.resolve(file(day, "invoices") + ".crashed.tmp"), "half a file");
        WarehouseExport.Day again = export.export(t.id(), today, false, "test");
        assertThat(again.exportedNow()).isTrue();
        assertThat(again.files().stream().map(WarehouseExport.File::sha256).toList()).isEqualTo(hashes);
        assertThat(export.export(t.id(), today, true, "test").files().stream().map(WarehouseExport.File::sha256).toList()).isEqualTo(hashes);
        assertThat(fixture().count("select count(*) from warehouse_export where tenant_id = ?", t.id())).isEqualTo(1);

        // the operator's API: a day not over, a bad day, an unknown tenant; yesterday exports (nothing happened: 0 rows)
        run("{\"tenantId\":\"" + t.id() + "\",\"day\":\"" + today + "\"}").statusCode(409).body("field", equalTo("day"));
        run("{\"tenantId\":\"" + t.id() + "\",\"day\":\"yesterday\"}").statusCode(400).body("field", equalTo("day"));
        run("{\"day\":\"" + today.minusDays(2) + "\"}").statusCode(400).body("field", equalTo("tenantId"));
        run("{\"tenantId\":\"ten_nobody\",\"day\":\"" + today.minusDays(2) + "\"}").statusCode(404);
        run("{\"tenantId\":\"" + t.id() + "\",\"day\":\"" + today.minusDays(2) + "\"}").statusCode(200).body("exportedNow", equalTo(true))
                .body("files[0].rows", equalTo(0));
        given().header("Authorization", "Bearer " + OPERATOR).get("/v1/admin/warehouse-exports?tenant=" + t.id()).then().statusCode(200)
                .body("days.size()", equalTo(2)).body("days[0].day", equalTo(today.toString()));
    }

    private static ValidatableResponse run(String body) {
        return given().header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON).body(body).post("/v1/admin/warehouse-exports/run")
                .then();
    }

    private static String file(WarehouseExport.Day day, String table) {
        return day.files().stream().filter(f -> f.table().equals(table)).findFirst().orElseThrow().path();
    }

    /** The rows of a Parquet file by {@code sql} over it (as {@code r}), each row's columns joined by a space. */
    private static List<String> rows(Path file, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            c.createStatement().execute("create view r as select * from read_parquet('" + file.toAbsolutePath() + "')");
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> cells = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        cells.add(String.valueOf(rs.getObject(i)));
                    }
                    out.add(String.join(" ", cells));
                }
            }
        }
        return out;
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
