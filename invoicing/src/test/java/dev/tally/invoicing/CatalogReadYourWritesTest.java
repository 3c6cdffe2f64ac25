package dev.tally.invoicing;

import static dev.tally.invoicing.BillingFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.invoicing.BillingFixture.Tenant;
import dev.tally.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes (issue 21): a catalog write is answered only once its records are published to tally.catalog, so
 * ingest and rating can read them when the client's next request arrives.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = false)
class CatalogReadYourWritesTest extends BillingTest {
    @Test
    void aCatalogWriteIsAnsweredOnceItsRecordsArePublished() throws Exception {
        BillingFixture fixture = fixture();
        Tenant t = BillingFixture.tenant("Read your writes");
        for (int i = 0; i < 20; i++) {
            ExtractableResponse<Response> created = post(t, "/v1/customers", "{\"externalId\":\"rw-" + i + "\",\"name\":\"RW\",\"currency\":\"USD\"}")
                    .statusCode(201).extract();
            String id = created.path("customerId");
            assertThat(created.header("Tally-Catalog-Published")).isEqualTo("true");
            assertThat(fixture.count("select count(*) from outbox where topic = 'tally.catalog' and published_at is null"
                    + " and array_to_string(payloads, ' ') like '%" + id + "%' and ? is not null", t.id())).as("unpublished rows of " + id).isZero();
            assertThat(fixture.count("select count(*) from outbox where topic = 'tally.catalog' and published_at is not null"
                    + " and array_to_string(payloads, ' ') like '%" + id + "%' and ? is not null", t.id())).as("published rows of " + id).isPositive();
        }
        // a read changes nothing in the catalog: no header, no wait
        assertThat(BillingFixture.get(t, "/v1/customers/rw-0").statusCode(200).extract().header("Tally-Catalog-Published")).isNull();
    }
}
