package dev.tally.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tally.client.ingest.api.CorrectionsResourceApi;
import dev.tally.client.ingest.api.EventsResourceApi;
import dev.tally.client.ingest.model.EventBody;
import dev.tally.client.ingest.model.EventsRequest;
import dev.tally.client.ingest.model.EventsResponse;
import dev.tally.client.ingest.model.IngestOutcome;
import dev.tally.client.ingest.model.RetractRequest;
import dev.tally.client.invoicing.ApiException;
import dev.tally.client.invoicing.api.AdminResourceApi;
import dev.tally.client.invoicing.api.CatalogResourceApi;
import dev.tally.client.invoicing.api.CouponResourceApi;
import dev.tally.client.invoicing.api.CreditsResourceApi;
import dev.tally.client.invoicing.api.CustomerResourceApi;
import dev.tally.client.invoicing.api.InvoiceCreditNotesResourceApi;
import dev.tally.client.invoicing.api.InvoiceResourceApi;
import dev.tally.client.invoicing.api.InvoicesResourceApi;
import dev.tally.client.invoicing.api.PlanResourceApi;
import dev.tally.client.invoicing.api.PriceOverrideResourceApi;
import dev.tally.client.invoicing.api.ReconciliationResourceApi;
import dev.tally.client.invoicing.api.RedemptionResourceApi;
import dev.tally.client.invoicing.model.Aliases;
import dev.tally.client.invoicing.model.ChargeSpec;
import dev.tally.client.invoicing.model.CloseRequest;
import dev.tally.client.invoicing.model.CreatedTenant;
import dev.tally.client.invoicing.model.CreditNote;
import dev.tally.client.invoicing.model.InvoiceView;
import dev.tally.client.invoicing.model.LineRequest;
import dev.tally.client.invoicing.model.NewCoupon;
import dev.tally.client.invoicing.model.NewCreditNote;
import dev.tally.client.invoicing.model.NewCustomer;
import dev.tally.client.invoicing.model.NewGrant;
import dev.tally.client.invoicing.model.NewMeter;
import dev.tally.client.invoicing.model.NewTenant;
import dev.tally.client.invoicing.model.OverrideBody;
import dev.tally.client.invoicing.model.PlanSpec;
import dev.tally.client.invoicing.model.PriceSpec;
import dev.tally.client.invoicing.model.Problem;
import dev.tally.client.invoicing.model.ReconciliationRequest;
import dev.tally.client.invoicing.model.Redeem;
import dev.tally.client.invoicing.model.Report;
import dev.tally.client.invoicing.model.TierSpec;
import dev.tally.client.rating.api.EntitlementResourceApi;
import dev.tally.client.rating.api.SpendResourceApi;
import dev.tally.client.rating.api.UsageResourceApi;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The OpenAPI documents are complete enough that clients nobody here wrote work on the first try: openapi-generator
 * (Java, "native" library, from Maven Central; infra/system-tests' pom) generates one client per service from the
 * document the service wrote at build, and this test runs the README's five-minute tour with those clients only,
 * against the packaged services on real Postgres and Kafka.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GeneratedClientIT {
    private static final String OPERATOR = "generated-client-operator-" + UUID.randomUUID();
    private static final Path ROOT = Path.of(System.getProperty("tally.root", "../.."));
    private static ServiceProcess ingest;
    private static ServiceProcess rating;
    private static ServiceProcess invoicing;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = ServiceProcess.platformEnv(OPERATOR);
        ingest = new ServiceProcess("ingest", env).start();
        rating = new ServiceProcess("rating", env).start();
        invoicing = new ServiceProcess("invoicing", env).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] {ingest, rating, invoicing}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    /** Every operation of every service names itself, says who may call it, what it answers and how it refuses. */
    @Test
    @Order(1)
    void everyOperationIsDocumented() throws Exception {
        List<String> gaps = new ArrayList<>();
        int operations = 0;
        for (String service : List.of("ingest", "rating", "invoicing")) {
            JsonNode doc = new YAMLMapper().readTree(ROOT.resolve(service).resolve("target/openapi/openapi.yaml").toFile());
            assertThat(doc.path("components").path("securitySchemes").path("bearer").path("scheme").asText()).isEqualTo("bearer");
            assertThat(doc.path("components").path("schemas").has("Problem")).isTrue();
            for (var path : (Iterable<Map.Entry<String, JsonNode>>) doc.path("paths")::fields) {
                for (var op : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
                    operations++;
                    String at = service + " " + op.getKey().toUpperCase() + " " + path.getKey();
                    JsonNode o = op.getValue();
                    if (o.path("operationId").asText().isEmpty()) {
                        gaps.add(at + ": no operationId");
                    }
                    if (!o.path("responses").path("default").path("content").has("application/problem+json")) {
                        gaps.add(at + ": no problem+json response");
                    }
                    for (var r : (Iterable<Map.Entry<String, JsonNode>>) o.path("responses")::fields) {
                        boolean success = r.getKey().startsWith("2") && !r.getKey().equals("204");
                        if (success && (r.getValue().path("content").isEmpty() || r.getValue().path("content").toString().contains("\"schema\":{}"))) {
                            gaps.add(at + ": answer " + r.getKey() + " has no schema");
                        }
                    }
                    o.path("requestBody").path("content").forEach(media -> {
                        if ("binary".equals(media.path("schema").path("format").asText())) {
                            gaps.add(at + ": request body without a schema");
                        }
                    });
                }
            }
        }
        assertThat(operations).isGreaterThan(100);
        assertThat(gaps).isEmpty();
    }

    @Test
    @Order(2)
    void theReadmeTourRunsWithGeneratedClients() throws Exception {
        // an operator creates a tenant; its first API key (admin scope) is shown once
        CreatedTenant tenant = new AdminResourceApi(new InvoicingClient(invoicing.url(), OPERATOR))
                .adminResourceCreateTenant(new NewTenant().name("Gateway Inc"));
        String key = tenant.getApiKey().getKey();
        assertThat(key).startsWith("tly_");
        InvoicingClient billing = new InvoicingClient(invoicing.url(), key);

        // the tenant defines what it meters and what it charges
        new CatalogResourceApi(billing).catalogResourceCreateMeter(new NewMeter().key("bandwidth").eventType("tunnel.bytes").aggregation("SUM")
                .property("bytes"));
        var plan = new PlanResourceApi(billing).planResourceCreate(new PlanSpec().key("gateway").name("Gateway").currency("USD")
                .charges(List.of(new ChargeSpec().meter("bandwidth").price(new PriceSpec().model("graduated")
                        .tiers(List.of(new TierSpec().upTo("10000000").unitPrice("0"), new TierSpec().unitPrice("0.00000000009")))))), true);
        assertThat(plan.getStatus()).isEqualTo("published");
        CustomerResourceApi customers = new CustomerResourceApi(billing);
        customers.customerResourceCreate(new NewCustomer().externalId("acme").name("Acme").plan("gateway")
                .aliases(new Aliases().cidrs(List.of("198.51.100.0/24"))));
        YearMonth thisMonth = YearMonth.now(ZoneOffset.UTC);
        OffsetDateTime lastMonth = thisMonth.minusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        customers.customerResourceCreate(new NewCustomer().externalId("early").name("Early").plan("gateway").subscriptionStart(lastMonth));

        // send usage right after creating the customers (read-your-writes), then the same again: duplicates, counted once;
        // early's event in the last hour of last month: at most 32 days old, inside ingest's 35-day dedup window on any date
        // (the second day of last month was not, after the 6th)
        OffsetDateTime lastHourOfLastMonth = thisMonth.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).minusHours(1);
        EventsResourceApi events = new EventsResourceApi(new IngestClient(ingest.url(), key));
        EventsRequest batch = new EventsRequest().events(List.of(
                new EventBody().id("e-1").type("tunnel.bytes").customer("acme").properties(Map.of("bytes", 52428800)),
                new EventBody().id("e-2").type("tunnel.bytes").customer("acme").properties(Map.of("bytes", 1024)),
                new EventBody().id("e-3").type("tunnel.bytes").customer("early").timestamp(lastHourOfLastMonth.toInstant().toString())
                        .properties(Map.of("bytes", 1_000_000_000_000L))));
        EventsResponse first = events.eventsResourceIngest(batch);
        assertThat(first.getAccepted()).isEqualTo(3);
        EventsResponse again = events.eventsResourceIngest(batch);
        assertThat(again.getDuplicates()).isEqualTo(3);
        assertThat(again.getResults()).allMatch(r -> r.getOutcome() == IngestOutcome.DUPLICATE);

        // usage, spend and an entitlement check on rating
        RatingClient metering = new RatingClient(rating.url(), key);
        UsageResourceApi usage = new UsageResourceApi(metering);
        await("acme's usage rated", () -> "52429824".equals(quantity(usage, "acme", null, null)));
        assertThat(new SpendResourceApi(metering).spendResourceSpend("acme", null).getCurrency()).isEqualTo("USD");
        assertThat(new EntitlementResourceApi(metering).entitlementResourceCheck("acme", "bandwidth").getAllowed()).isTrue();

        // a mistake: retract an event; rating takes it out again
        CorrectionsResourceApi corrections = new CorrectionsResourceApi(new IngestClient(ingest.url(), key));
        corrections.correctionsResourceRetract(new RetractRequest().ids(List.of("e-2")).reason("test traffic"));
        assertThat(corrections.correctionsResourceEvent("e-2").getStatus()).isEqualTo("retracted");
        await("the retraction rated", () -> "52428800".equals(quantity(usage, "acme", null, null)));

        // the draft invoice, with the arithmetic of every line
        var draft = new InvoiceResourceApi(billing).invoiceResourceDraft("acme", null);
        assertThat(draft.getCurrency()).isEqualTo("USD");
        assertThat(draft.getLines()).isNotEmpty();

        // an enterprise contract: a negotiated rate, a prepaid commitment, a coupon
        new PriceOverrideResourceApi(billing).priceOverrideResourceCreate("acme", new OverrideBody().meter("bandwidth")
                .price(new PriceSpec().model("per_unit").unitPrice("0.00000000006")).reason("MSA-114"));
        var credit = new CreditsResourceApi(billing).creditsResourceGrant("acme", new NewGrant().amount("1200").funding("purchased").instalments(4)
                .expiresAt(OffsetDateTime.parse("2027-12-31T00:00:00Z")).reason("MSA-114 commitment"));
        assertThat(credit.getCurrency()).isEqualTo("USD");
        new CouponResourceApi(billing).couponResourceCreate(new NewCoupon().code("WELCOME20").name("Welcome").kind("percent").value("20").periods(2));
        assertThat(new RedemptionResourceApi(billing).redemptionResourceRedeem("acme", new Redeem().code("WELCOME20")).getCode())
                .isEqualTo("WELCOME20");

        // last month's period of "early" is closed once rating has its usage; why each line is what it is
        await("early's last month rated", () -> "1000000000000".equals(quantity(usage, "early", lastMonth.toLocalDate().toString(),
                thisMonth.atDay(1).toString())));
        InvoicesResourceApi invoices = new InvoicesResourceApi(billing);
        InvoiceView invoice = invoices.invoicesResourceClose(new CloseRequest().customer("early").periodStart(lastMonth));
        assertThat(invoice.getStatus()).isEqualTo("finalized");
        assertThat(invoice.getTotal()).isEqualTo("90.00"); // (10^12 − 10^7) × 0.00000000009 = 89.9991, rounded once
        assertThat(invoices.invoicesResourceList("early", null, null, null, null, null, null).getInvoices())
                .extracting(InvoiceView::getInvoiceId).containsExactly(invoice.getInvoiceId());
        assertThat(invoices.invoicesResourceExplain(invoice.getInvoiceId()).getLines()).isNotEmpty();
        assertThat(invoices.invoicesResourceEvents(invoice.getInvoiceId(), null, null, "bandwidth").getEvents()).isEqualTo(1L);
        File pdf = invoices.invoicesResourcePdf(invoice.getInvoiceId());
        assertThat(Files.readAllBytes(pdf.toPath())).startsWith("%PDF".getBytes());

        // a credit note for part of a line, and an independent recount of every event
        CreditNote note = new InvoiceCreditNotesResourceApi(billing).invoiceCreditNotesResourceCreate(invoice.getInvoiceId(),
                new NewCreditNote().lines(List.of(new LineRequest().line("line:bandwidth").amount("1.00"))).reason("outage on the 3rd"));
        assertThat(note.getTotal()).isEqualTo("1.00");
        Report recount = new ReconciliationResourceApi(billing).reconciliationResourceRun(new ReconciliationRequest());
        assertThat(recount.getDrifted()).isZero();

        // refused input comes back as a problem the generated model reads, naming the field
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new CatalogResourceApi(billing)
                .catalogResourceCreateMeter(new NewMeter().key("bad").eventType("x").aggregation("MEDIAN")));
        assertThat(refused.getCode()).isEqualTo(400);
        Problem problem = new ObjectMapper().findAndRegisterModules().readValue(refused.getResponseBody(), Problem.class);
        assertThat(problem.getField()).isEqualTo("aggregation");
        assertThat(problem.getType().toString()).startsWith("https://tally.dev/problems/");
    }

    private static String quantity(UsageResourceApi usage, String customer, String from, String to) {
        try {
            return usage.usageResourceUsage(customer, from, "bandwidth", to).getMeters().stream().findFirst().map(m -> m.getQuantity())
                    .orElse(null);
        } catch (Exception e) {
            return null; // not there yet
        }
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
