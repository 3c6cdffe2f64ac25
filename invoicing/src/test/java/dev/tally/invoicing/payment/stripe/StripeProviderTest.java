package dev.tally.invoicing.payment.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.invoicing.payment.PaymentProvider.Account;
import dev.tally.invoicing.payment.PaymentProvider.CustomerRef;
import dev.tally.invoicing.payment.PaymentProvider.InvoiceDoc;
import dev.tally.invoicing.payment.PaymentProvider.Line;
import dev.tally.invoicing.payment.PaymentProvider.RefundRequest;
import dev.tally.invoicing.payment.PaymentProvider.RefundResult;
import dev.tally.invoicing.payment.ProviderException;
import dev.tally.invoicing.payment.stripe.StripeStub.Request;
import dev.tally.model.terms.RefundStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Stripe adapter against {@link StripeStub}: what it sends, in which units, and how it survives failures. */
class StripeProviderTest {
    private static final String KEY = "sk_test_51TallyStubSecretKey0123456789abcdefWXYZ";
    private static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant END = Instant.parse("2026-11-01T00:00:00Z");

    private StripeStub stub;
    private StripeProvider stripe;
    private Account account;

    @BeforeEach
    void start() {
        stub = new StripeStub(KEY);
        stripe = new StripeProvider(stub.uri(), Duration.ofSeconds(5));
        account = new Account("tenant-1", KEY, "whsec_test");
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    // ---- customers ----------------------------------------------------------------------------------------

    @Test
    void syncCustomerSendsNameEmailMetadataKeyAndVersion() throws Exception {
        String id = stripe.syncCustomer(account, new CustomerRef("c-1", "acme-42", "Acme & Co", "billing@acme.test"), "cust-c-1");

        assertThat(id).startsWith("cus_");
        Request sent = stub.requests().getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/customers");
        assertThat(sent.idempotencyKey()).isEqualTo("cust-c-1");
        assertThat(sent.params()).containsExactly(Map.entry("name", "Acme & Co"), Map.entry("email", "billing@acme.test"),
                Map.entry("metadata[tally_customer_id]", "c-1"), Map.entry("metadata[tally_external_id]", "acme-42"));
        assertThat(sent.headers()).containsEntry("Authorization", "Bearer " + KEY).containsEntry("Stripe-Version", "2024-06-20")
                .containsEntry("Content-Type", "application/x-www-form-urlencoded");
        assertThat(stub.object(id).path("metadata").path("tally_external_id").asText()).isEqualTo("acme-42");
    }

    @Test
    void aNullEmailIsLeftOutAndARetryWithTheSameKeyReturnsTheSameCustomer() throws Exception {
        CustomerRef c = new CustomerRef("c-2", "x-2", "No Mail Ltd", null);
        String first = stripe.syncCustomer(account, c, "cust-c-2");
        String again = stripe.syncCustomer(account, c, "cust-c-2");

        assertThat(again).isEqualTo(first);
        assertThat(stub.created("customer")).isEqualTo(1);
        assertThat(stub.requests().getFirst().params()).doesNotContainKey("email");
    }

    // ---- pushing invoices ---------------------------------------------------------------------------------

    @Test
    void pushCreatesOneInvoiceOneItemPerLineInExactCentsAndFinalizes() throws Exception {
        String customer = customer();
        String id = stripe.pushInvoice(account, customer, usd(), "push-1");

        assertThat(id).startsWith("in_");
        assertThat(stub.created("invoice")).isEqualTo(1);
        assertThat(stub.created("invoiceitem")).isEqualTo(3);
        assertThat(stub.finalizations()).isEqualTo(1);

        Request create = posts("/v1/invoices").getFirst();
        assertThat(create.params()).containsEntry("customer", customer).containsEntry("currency", "usd")
                .containsEntry("collection_method", "charge_automatically").containsEntry("auto_advance", "false")
                .containsEntry("pending_invoice_items_behavior", "exclude").containsEntry("description", "Tally invoice T-0001")
                .containsEntry("metadata[tally_invoice_id]", "inv-1").containsEntry("metadata[tally_invoice_number]", "T-0001");

        List<Request> items = posts("/v1/invoiceitems");
        assertThat(items).extracting(r -> r.params().get("amount")).containsExactly("1234", "1", "-150");
        assertThat(items).extracting(r -> r.params().get("description")).containsExactly("API calls", "Storage", "Adjustment for September");
        assertThat(items).allSatisfy(r -> assertThat(r.params()).containsEntry("invoice", id).containsEntry("customer", customer)
                .containsEntry("currency", "usd").containsEntry("period[start]", String.valueOf(START.getEpochSecond()))
                .containsEntry("period[end]", String.valueOf(END.getEpochSecond())));

        Request finalize = posts("/v1/invoices/" + id + "/finalize").getFirst();
        assertThat(finalize.params()).containsEntry("auto_advance", "true");

        JsonNode invoice = stub.object(id);
        assertThat(invoice.path("status").asText()).isEqualTo("open");
        assertThat(invoice.path("total").asLong()).isEqualTo(1085);
        assertThat(invoice.path("amount_due").asLong()).isEqualTo(1085);
        assertThat(invoice.path("lines").path("data")).hasSize(3);
    }

    @Test
    void everyCallOfAPushHasItsOwnKeyDerivedFromTheCallersKey() throws Exception {
        String customer = customer();
        String id = stripe.pushInvoice(account, customer, usd(), "push-keys");

        List<Request> push = stub.requests().subList(1, stub.requests().size());
        assertThat(push).extracting(Request::idempotencyKey).containsExactly("push-keys:invoice", "push-keys:item:0", "push-keys:item:1",
                "push-keys:item:2", "push-keys:finalize");
        assertThat(push).extracting(Request::path).endsWith("/v1/invoices/" + id + "/finalize");
    }

    @Test
    void aYenInvoiceIsSentInWholeYen() throws Exception {
        String customer = customer();
        InvoiceDoc jpy = new InvoiceDoc("inv-jp", "T-0002", "JPY", List.of(new Line("API calls", new BigDecimal("1200")),
                new Line("Credit for an outage", new BigDecimal("-200"))), new BigDecimal("1000"), new BigDecimal("1000"), START, END);

        String id = stripe.pushInvoice(account, customer, jpy, "push-jpy");

        assertThat(posts("/v1/invoices").getFirst().params()).containsEntry("currency", "jpy");
        assertThat(posts("/v1/invoiceitems")).extracting(r -> r.params().get("amount")).containsExactly("1200", "-200");
        assertThat(stub.object(id).path("total").asLong()).isEqualTo(1000);
    }

    @Test
    void whenLessIsDueThanTheTotalANegativeCreditLineMakesTheStripeTotalTheAmountDue() throws Exception {
        String customer = customer();
        InvoiceDoc doc = new InvoiceDoc("inv-3", "T-0003", "USD", List.of(new Line("API calls", new BigDecimal("100.00")),
                new Line("Tax (20 %)", new BigDecimal("20.00"))), new BigDecimal("120.00"), new BigDecimal("75.50"), START, END);

        String id = stripe.pushInvoice(account, customer, doc, "push-credit");

        List<Request> items = posts("/v1/invoiceitems");
        assertThat(items).extracting(r -> r.params().get("amount")).containsExactly("10000", "2000", "-4450");
        assertThat(items.getLast().params()).containsEntry("description", StripeProvider.CREDIT_LINE);
        JsonNode invoice = stub.object(id);
        assertThat(invoice.path("total").asLong()).isEqualTo(7550);
        assertThat(invoice.path("amount_due").asLong()).isEqualTo(7550);
    }

    @Test
    void linesThatDontAddUpAreRefusedBeforeAnythingIsSent() {
        InvoiceDoc wrong = new InvoiceDoc("inv-4", "T-0004", "USD", List.of(new Line("API calls", new BigDecimal("12.34")),
                new Line("Storage", new BigDecimal("0.01"))), new BigDecimal("12.36"), new BigDecimal("12.36"), START, END);

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> stripe.pushInvoice(account, "cus_x", wrong, "push-wrong"));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("T-0004").contains("12.35").contains("12.36");
        assertThat(stub.requests()).isEmpty();
    }

    @Test
    void moreDecimalsThanTheCurrencyHasOrMoreDueThanTheTotalAreRefusedBeforeAnythingIsSent() {
        InvoiceDoc subCent = new InvoiceDoc("inv-5", "T-0005", "USD", List.of(new Line("API calls", new BigDecimal("12.345"))),
                new BigDecimal("12.345"), new BigDecimal("12.345"), START, END);
        InvoiceDoc halfYen = new InvoiceDoc("inv-6", "T-0006", "JPY", List.of(new Line("API calls", new BigDecimal("10.5"))),
                new BigDecimal("10.5"), new BigDecimal("10.5"), START, END);
        InvoiceDoc overDue = new InvoiceDoc("inv-7", "T-0007", "USD", List.of(new Line("API calls", new BigDecimal("10.00"))),
                new BigDecimal("10.00"), new BigDecimal("10.01"), START, END);

        for (InvoiceDoc doc : List.of(subCent, halfYen, overDue)) {
            assertThatThrownBy(() -> stripe.pushInvoice(account, "cus_x", doc, "push-" + doc.number())).as(doc.number())
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse());
        }
        assertThat(stub.requests()).isEmpty();
    }

    @Test
    void minorUnitsFollowStripesCurrencyList() throws Exception {
        assertThat(StripeAmounts.toMinor(new BigDecimal("12.34"), "USD")).isEqualTo(1234);
        assertThat(StripeAmounts.toMinor(new BigDecimal("0.01"), "usd")).isEqualTo(1);
        assertThat(StripeAmounts.toMinor(new BigDecimal("-1.50"), "EUR")).isEqualTo(-150);
        assertThat(StripeAmounts.toMinor(new BigDecimal("12.340"), "USD")).as("trailing zeros are exact").isEqualTo(1234);
        assertThat(StripeAmounts.toMinor(new BigDecimal("1E+3"), "JPY")).isEqualTo(1000);
        assertThat(StripeAmounts.toMinor(new BigDecimal("5"), "ISK")).as("Stripe: ISK as two decimals, always 00").isEqualTo(500);
        assertThat(StripeAmounts.toMinor(new BigDecimal("300"), "MGA")).as("Stripe: zero-decimal although ISO says 2").isEqualTo(300);
        assertThat(StripeAmounts.toMinor(new BigDecimal("1.234"), "KWD")).isEqualTo(1234);
        for (String[] bad : new String[][] {{"12.345", "USD"}, {"5.5", "ISK"}, {"0.5", "MGA"}, {"1", "XXX"}, {"1", "ABC"}}) {
            assertThatThrownBy(() -> StripeAmounts.toMinor(new BigDecimal(bad[0]), bad[1])).as(bad[0] + " " + bad[1])
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse());
        }
    }

    @Test
    void aRetryAfterTheInvoiceCreateAnswerWasLostMakesNoSecondInvoice() throws Exception {
        retryAfterLostAnswer(r -> r.path().equals("/v1/invoices"));
    }

    @Test
    void aRetryAfterAnItemAnswerWasLostMakesNoDuplicateItem() throws Exception {
        retryAfterLostAnswer(r -> r.path().equals("/v1/invoiceitems") && "1".equals(r.params().get("amount")));
    }

    @Test
    void aRetryAfterTheFinalizeAnswerWasLostDoesNotFinalizeTwice() throws Exception {
        retryAfterLostAnswer(r -> r.path().endsWith("/finalize"));
    }

    /** The step {@code which} acts at the stub but its answer is lost; the whole push, retried with its key, ends with one of everything. */
    private void retryAfterLostAnswer(Predicate<Request> which) throws Exception {
        String customer = customer();
        stub.dropAfterActing(1, which);

        ProviderException lost = catchThrowableOfType(ProviderException.class, () -> stripe.pushInvoice(account, customer, usd(), "push-retry"));
        assertThat(lost.retryable()).isTrue();
        assertThat(lost.status()).isEqualTo(500);

        String id = stripe.pushInvoice(account, customer, usd(), "push-retry");

        assertThat(stub.created("invoice")).isEqualTo(1);
        assertThat(stub.created("invoiceitem")).isEqualTo(3);
        assertThat(stub.finalizations()).isEqualTo(1);
        JsonNode invoice = stub.object(id);
        assertThat(invoice.path("status").asText()).isEqualTo("open");
        assertThat(invoice.path("total").asLong()).isEqualTo(1085);
        assertThat(invoice.path("lines").path("data")).hasSize(3);
        assertThat(StreamSupport.stream(invoice.path("lines").path("data").spliterator(), false).map(l -> l.path("amount").asLong()))
                .containsExactly(1234L, 1L, -150L);
        assertThat(stub.requests().stream().filter(which)).as("the lost step was sent again, with the same key").hasSize(2)
                .extracting(Request::idempotencyKey).containsOnly(stub.requests().stream().filter(which).findFirst().orElseThrow().idempotencyKey());
    }

    @Test
    void aFailureBeforeStripeActedIsRetryableAndTheRetryCompletesThePush() throws Exception {
        String customer = customer();
        stub.failNext(1, 503);
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> stripe.pushInvoice(account, customer, usd(), "push-503"));
        assertThat(e.retryable()).isTrue();
        assertThat(e.status()).isEqualTo(503);
        assertThat(stub.created("invoice")).isZero();

        String id = stripe.pushInvoice(account, customer, usd(), "push-503");
        assertThat(stub.object(id).path("total").asLong()).isEqualTo(1085);
        assertThat(stub.created("invoice")).isEqualTo(1);
    }

    // ---- refunds ------------------------------------------------------------------------------------------

    @Test
    void aRefundSendsThePaymentIntentAndExactCents() throws Exception {
        String invoice = stripe.pushInvoice(account, customer(), usd(), "push-r1");
        String paymentIntent = stub.pay(invoice);

        RefundResult result = stripe.refund(account, refund("rf-1", paymentIntent, "2.50"), "refund-rf-1");

        assertThat(result.providerRefundId()).startsWith("re_");
        assertThat(result.status()).isEqualTo(RefundStatus.SUCCEEDED);
        Request sent = posts("/v1/refunds").getFirst();
        assertThat(sent.idempotencyKey()).isEqualTo("refund-rf-1");
        assertThat(sent.params()).containsEntry("payment_intent", paymentIntent).containsEntry("amount", "250")
                .containsEntry("reason", "requested_by_customer").containsEntry("metadata[tally_refund_id]", "rf-1")
                .containsEntry("metadata[tally_invoice_id]", "inv-1");
    }

    @Test
    void stripeRefundStatusesMapToSucceededPendingOrFailed() throws Exception {
        String paymentIntent = stub.pay(stripe.pushInvoice(account, customer(), usd(), "push-r2"));
        Map<String, String> expected = Map.of("succeeded", "succeeded", "pending", "pending", "requires_action", "pending", "failed", "failed",
                "canceled", "failed");
        for (var e : expected.entrySet()) {
            stub.nextRefundStatus(e.getKey());
            RefundResult r = stripe.refund(account, refund("rf-" + e.getKey(), paymentIntent, "0.01"), "refund-" + e.getKey());
            assertThat(r.status().wire()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void refundingMoreThanWasPaidIsRefusedWithStripesMessage() throws Exception {
        String paymentIntent = stub.pay(stripe.pushInvoice(account, customer(), usd(), "push-r3"));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> stripe.refund(account, refund("rf-big", paymentIntent, "10.86"), "refund-big"));

        assertThat(e.retryable()).isFalse();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("Refund amount (1086) is greater than unrefunded amount on charge (1085)");
        assertThat(stub.created("refund")).isZero();
    }

    @Test
    void aRefundWithoutAStripePaymentIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> stripe.refund(account, refund("rf-off", null, "1.00"), "refund-off"))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse());
        assertThat(stub.requests()).isEmpty();
    }

    // ---- errors -------------------------------------------------------------------------------------------

    @Test
    void serverErrorsRateLimitsAndConflictsAreRetryable() {
        for (int status : new int[] {500, 502, 429, 409}) {
            stub.failNext(1, status);
            ProviderException e = syncFails("cust-" + status);
            assertThat(e.retryable()).as(String.valueOf(status)).isTrue();
            assertThat(e.status()).isEqualTo(status);
        }
    }

    @Test
    void stripeShouldRetryOverridesTheStatus() {
        stub.failNext(1, 500, "false");
        assertThat(syncFails("cust-sr-1").retryable()).isFalse();
        stub.failNext(1, 400, "true");
        assertThat(syncFails("cust-sr-2").retryable()).isTrue();
    }

    @Test
    void aWrongKeyIsNotRetryableAndTheMessageNeverShowsTheKey() {
        String wrong = "sk_test_51WrongKeyWrongKeyWrongKey9876";
        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> stripe.syncCustomer(new Account("tenant-1", wrong, "whsec_x"), new CustomerRef("c", "x", "n", null), "cust-401"));

        assertThat(e.retryable()).isFalse();
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).contains("401").contains("Invalid API Key provided").doesNotContain(wrong).doesNotContain(KEY)
                .doesNotContain("sk_test").doesNotContain("9876");
        assertThat(stub.created("customer")).isZero();
    }

    @Test
    void theSameKeyWithOtherParametersIsNotRetryable() throws Exception {
        stripe.syncCustomer(account, new CustomerRef("c-1", "x-1", "First", null), "cust-same");

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> stripe.syncCustomer(account, new CustomerRef("c-2", "x-2", "Second", null), "cust-same"));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("idempotency_error").contains("same parameters");
        assertThat(stub.created("customer")).isEqualTo(1);
    }

    @Test
    void noAnswerAtAllIsRetryable() {
        StripeStub gone = new StripeStub(KEY);
        StripeProvider unreachable = new StripeProvider(gone.uri(), Duration.ofSeconds(2));
        gone.close();
        ProviderException refused = catchThrowableOfType(ProviderException.class,
                () -> unreachable.syncCustomer(account, new CustomerRef("c", "x", "n", null), "cust-gone"));
        assertThat(refused.retryable()).isTrue();
        assertThat(refused.status()).isZero();

        stub.stallNext(Duration.ofMillis(800));
        StripeProvider impatient = new StripeProvider(stub.uri(), Duration.ofMillis(200));
        ProviderException timedOut = catchThrowableOfType(ProviderException.class,
                () -> impatient.syncCustomer(account, new CustomerRef("c", "x", "n", null), "cust-slow"));
        assertThat(timedOut.retryable()).isTrue();
        assertThat(timedOut.getMessage()).contains("Timeout");
    }

    // ---- webhook signatures -------------------------------------------------------------------------------

    private static final String SECRET = "whsec_test_5f3c0e2a9b";
    private static final String BODY = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"id\":\"in_1\",\"amount_paid\":1085}}}";
    private static final Instant SIGNED = Instant.ofEpochSecond(1_790_000_000L);

    @Test
    void aSignatureVerifiesForItsSecretBodyAndTime() throws Exception {
        String header = StripeSignature.sign(SECRET, BODY, SIGNED);
        assertThat(header).matches("t=1790000000,v1=[0-9a-f]{64}");
        StripeSignature.verify(SECRET, header, BODY, SIGNED.plusSeconds(299), Duration.ofMinutes(5));
        StripeSignature.verify(SECRET, header, BODY, SIGNED.minusSeconds(299));
    }

    @Test
    void aSignatureIsRefusedForAnotherBodySecretOrTime() {
        String header = StripeSignature.sign(SECRET, BODY, SIGNED);
        assertReason(SECRET, header, BODY.replace("1085", "1"), SIGNED, StripeSignature.Reason.MISMATCH);
        assertReason("whsec_other", header, BODY, SIGNED, StripeSignature.Reason.MISMATCH);
        assertReason(SECRET, header, BODY, SIGNED.plusSeconds(301), StripeSignature.Reason.TOO_OLD);
        assertReason(SECRET, header, BODY, SIGNED.minusSeconds(301), StripeSignature.Reason.FROM_THE_FUTURE);
        String otherTime = header.replace("t=1790000000", "t=1790000001");
        assertReason(SECRET, otherTime, BODY, SIGNED, StripeSignature.Reason.MISMATCH);
    }

    @Test
    void anyOfSeveralV1SignaturesMayMatchAndV0IsIgnored() throws Exception {
        String valid = StripeSignature.sign(SECRET, BODY, SIGNED).substring("t=1790000000,".length());
        String rolled = StripeSignature.sign("whsec_old", BODY, SIGNED).substring("t=1790000000,".length());
        String header = "t=1790000000," + rolled + "," + valid + ",v0=" + "0".repeat(64);
        StripeSignature.verify(SECRET, header, BODY, SIGNED);

        String onlyV0 = "t=1790000000,v0=" + valid.substring(3);
        assertReason(SECRET, onlyV0, BODY, SIGNED, StripeSignature.Reason.NO_V1_SIGNATURE);
    }

    @Test
    void aMissingOrMalformedHeaderIsRefused() {
        assertReason(SECRET, null, BODY, SIGNED, StripeSignature.Reason.MISSING_HEADER);
        assertReason(SECRET, "  ", BODY, SIGNED, StripeSignature.Reason.MISSING_HEADER);
        assertReason(SECRET, "v1=" + "a".repeat(64), BODY, SIGNED, StripeSignature.Reason.NO_TIMESTAMP);
        assertReason(SECRET, "t=soon,v1=" + "a".repeat(64), BODY, SIGNED, StripeSignature.Reason.NO_TIMESTAMP);
        assertReason(SECRET, "t=1790000000", BODY, SIGNED, StripeSignature.Reason.NO_V1_SIGNATURE);
    }

    private static void assertReason(String secret, String header, String body, Instant now, StripeSignature.Reason reason) {
        assertThatThrownBy(() -> StripeSignature.verify(secret, header, body, now, StripeSignature.DEFAULT_TOLERANCE)).as(reason.name())
                .isInstanceOfSatisfying(StripeSignature.Invalid.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** 12.34 + 0.01 − 1.50 = 10.85 USD, all due. */
    private static InvoiceDoc usd() {
        return new InvoiceDoc("inv-1", "T-0001", "USD", List.of(new Line("API calls", new BigDecimal("12.34")), new Line("Storage",
                new BigDecimal("0.01")), new Line("Adjustment for September", new BigDecimal("-1.50"))), new BigDecimal("10.85"),
                new BigDecimal("10.85"), START, END);
    }

    private static RefundRequest refund(String refundId, String paymentIntent, String amount) {
        return new RefundRequest(refundId, "inv-1", "in_whatever", paymentIntent, "USD", new BigDecimal(amount), "customer asked");
    }

    private String customer() throws ProviderException {
        return stripe.syncCustomer(account, new CustomerRef("c-1", "acme-42", "Acme", "billing@acme.test"), "cust-" + System.nanoTime());
    }

    private List<Request> posts(String path) {
        return stub.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals(path)).toList();
    }

    private ProviderException syncFails(String key) {
        return catchThrowableOfType(ProviderException.class, () -> stripe.syncCustomer(account, new CustomerRef("c", "x", "n", null), key));
    }
}
