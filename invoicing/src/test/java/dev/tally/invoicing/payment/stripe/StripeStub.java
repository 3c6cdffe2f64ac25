package dev.tally.invoicing.payment.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the part of Stripe's API the adapter uses, on 127.0.0.1 and a free port, following
 * Stripe's documented behaviour where it matters to the adapter:
 * <ul>
 * <li>{@code Authorization: Bearer <key>} required, else 401 (before idempotency: nothing is saved);</li>
 * <li>form-encoded POST bodies, nested {@code metadata[k]} parameters;</li>
 * <li>idempotency (docs.stripe.com/api/idempotent_requests): the result of a POST that reached its endpoint is
 * saved under its {@code Idempotency-Key}; the same key with the same method, path and parameters replays it
 * (same status and body, {@code Idempotent-Replayed: true}) without acting; with anything else it is a 400
 * {@code idempotency_error}. Requests refused before the endpoint (auth, missing parameters) save nothing;</li>
 * <li>errors as {@code {"error":{"type","code","message","param"}}};</li>
 * <li>objects shaped as Stripe's: customer, invoice (draft → open on finalize, totals = Σ lines, a second
 * finalize refused), invoiceitem, payment_intent, refund (at most the unrefunded amount).</li>
 * </ul>
 * Test hooks: {@link #requests()}, {@link #created(String)}, {@link #failNext(int, int)} (answer before acting),
 * {@link #dropAfterActing(int, Predicate)} (act, save the real result, then answer 500 as if the answer were
 * lost), {@link #stallNext(Duration)}, {@link #nextRefundStatus(String)} and {@link #pay(String)}.
 */
public final class StripeStub implements AutoCloseable {
    /** One request as received: method, path, Idempotency-Key, decoded parameters and a few headers. */
    public record Request(String method, String path, String idempotencyKey, Map<String, String> params, Map<String, String> headers) {
    }

    private record Reply(int status, JsonNode body, boolean saveable, Map<String, String> headers) {
        Reply(int status, JsonNode body, boolean saveable) {
            this(status, body, saveable, Map.of());
        }
    }

    private record Saved(String fingerprint, Reply reply) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FINALIZE = Pattern.compile("/v1/invoices/([^/]+)/finalize");
    private static final Pattern INVOICE = Pattern.compile("/v1/invoices/([^/]+)");
    private static final Pattern VOID = Pattern.compile("/v1/invoices/([^/]+)/void");
    private static final Pattern PAY = Pattern.compile("/v1/invoices/([^/]+)/pay");

    private final String apiKey;
    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, ObjectNode> objects = new LinkedHashMap<>();
    private final Map<String, Integer> created = new HashMap<>();
    private final Map<String, Saved> idempotent = new HashMap<>();
    private final List<ObjectNode> meterEvents = new ArrayList<>();
    private int sequence;
    private int finalizations;
    private int failCount;
    private int failStatus;
    private String failShouldRetry;
    private int dropCount;
    private Predicate<Request> dropWhich = r -> true;
    private Duration stall;
    private String nextRefundStatus = "succeeded";
    private int storedFailures;
    private boolean storedFailureActs;

    /** Starts the stub; only {@code Bearer apiKey} is accepted. */
    public StripeStub(String apiKey) {
        this.apiKey = apiKey;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base address to give the adapter, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Every request received so far, in order (including refused and replayed ones). */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many objects of a Stripe type ({@code customer}, {@code invoice}, {@code invoiceitem}, {@code refund}) were created. */
    public synchronized int created(String object) {
        return created.getOrDefault(object, 0);
    }

    /** How many times an invoice was actually finalized (replays don't count). */
    public synchronized int finalizations() {
        return finalizations;
    }

    /** The current state of a Stripe object by id, or null. */
    public synchronized JsonNode object(String id) {
        ObjectNode o = objects.get(id);
        return o == null ? null : o.deepCopy();
    }

    /** The next {@code n} requests are answered {@code status} before anything else happens (nothing acts, nothing is saved). */
    public synchronized void failNext(int n, int status) {
        failNext(n, status, null);
    }

    /** As {@link #failNext(int, int)}, with a {@code Stripe-Should-Retry} header if {@code shouldRetry} isn't null. */
    public synchronized void failNext(int n, int status, String shouldRetry) {
        failCount = n;
        failStatus = status;
        failShouldRetry = shouldRetry;
    }

    /** The next {@code n} requests act (and are saved for idempotency) as usual, but are answered 500. */
    public synchronized void dropAfterActing(int n) {
        dropAfterActing(n, r -> true);
    }

    /** As {@link #dropAfterActing(int)}, for the next {@code n} requests that {@code which} accepts. */
    public synchronized void dropAfterActing(int n, Predicate<Request> which) {
        dropCount = n;
        dropWhich = which;
    }

    /**
     * Real Stripe's behaviour on an internal error: the next {@code n} POSTs are answered 500 and that 500 is saved
     * under their idempotency key (a retry with the same key gets the same 500 back for 24 hours); {@code acts}: the
     * request was carried out all the same (the error came after).
     */
    public synchronized void storedFailureNext(int n, boolean acts) {
        storedFailures = n;
        storedFailureActs = acts;
    }

    /** The next request waits this long before it is handled (to make a client time out). */
    public synchronized void stallNext(Duration duration) {
        stall = duration;
    }

    /** The status the next refund is created with (Stripe: succeeded, pending, requires_action, failed, canceled). */
    public synchronized void nextRefundStatus(String status) {
        nextRefundStatus = status;
    }

    /**
     * Marks an open invoice paid as Stripe's automatic collection would: creates a succeeded {@code pi_…} for its
     * amount due (its total, for an invoice without customer balance) and returns its id.
     */
    public synchronized String pay(String invoiceId) {
        ObjectNode invoice = objects.get(invoiceId);
        if (invoice == null || !invoice.path("status").asText().equals("open")) {
            throw new IllegalStateException("no open invoice " + invoiceId);
        }
        long due = invoice.path("amount_due").asLong();
        ObjectNode pi = create("pi", "payment_intent");
        pi.put("amount", due).put("amount_received", due).put("currency", invoice.path("currency").asText()).put("customer",
                invoice.path("customer").asText()).put("invoice", invoiceId).put("status", "succeeded").put("amount_refunded", 0);
        invoice.put("status", "paid").put("amount_paid", due).put("amount_remaining", 0).put("payment_intent", pi.path("id").asText());
        return pi.path("id").asText();
    }

    private void handle(HttpExchange exchange) {
        try {
            Duration wait;
            synchronized (this) {
                wait = stall;
                stall = null;
            }
            if (wait != null) {
                sleep(wait);
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String raw = method.equals("GET") ? exchange.getRequestURI().getRawQuery()
                    : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : List.of("Authorization", "Content-Type", "Stripe-Version")) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    headers.put(name, value);
                }
            }
            Request request = new Request(method, path, exchange.getRequestHeaders().getFirst("Idempotency-Key"), decode(raw), headers);
            Reply reply;
            synchronized (this) {
                requests.add(request);
                reply = answer(request);
            }
            byte[] body = JSON.writeValueAsBytes(reply.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Request-Id", "req_stub" + System.nanoTime());
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away (e.g. it timed out while the request stalled): nothing to answer
        } finally {
            exchange.close();
        }
    }

    private Reply answer(Request r) {
        if (failCount > 0) {
            failCount--;
            Map<String, String> headers = failShouldRetry == null ? Map.of() : Map.of("Stripe-Should-Retry", failShouldRetry);
            String type = failStatus >= 500 ? "api_error" : "invalid_request_error";
            String code = failStatus == 429 ? "rate_limit" : failStatus == 409 ? "lock_timeout" : null;
            return new Reply(failStatus, error(type, code, "Injected failure " + failStatus + " (stub).", null), false, headers);
        }
        Reply reply = authorizedAndIdempotent(r);
        if (dropCount > 0 && dropWhich.test(r)) {
            dropCount--;
            return new Reply(500, error("api_error", null, "The answer was lost (stub): the request was carried out.", null), false);
        }
        return reply;
    }

    private Reply authorizedAndIdempotent(Request r) {
        String auth = r.headers().getOrDefault("Authorization", "");
        if (!auth.startsWith("Bearer ")) {
            return new Reply(401, error("invalid_request_error", null, "You did not provide an API key. You need to provide your API key in the "
                    + "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').", null), false);
        }
        String given = auth.substring("Bearer ".length());
        if (!given.equals(apiKey)) {
            return new Reply(401, error("invalid_request_error", null, "Invalid API Key provided: " + masked(given), null), false);
        }
        if (!r.method().equals("POST")) {
            return route(r);
        }
        if (!r.headers().getOrDefault("Content-Type", "").startsWith("application/x-www-form-urlencoded")) {
            return new Reply(400, error("invalid_request_error", null, "Invalid request: the body must be application/x-www-form-urlencoded.", null), false);
        }
        String key = r.idempotencyKey();
        String fingerprint = r.method() + " " + r.path() + " " + new TreeMap<>(r.params());
        Saved saved = key == null ? null : idempotent.get(key);
        if (saved != null) {
            if (!saved.fingerprint().equals(fingerprint)) {
                return new Reply(400, error("idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters they "
                        + "were first used with. Try using a key other than '" + key + "' if you meant to execute a different request.", null), false);
            }
            Map<String, String> headers = new HashMap<>(saved.reply().headers());
            headers.put("Idempotent-Replayed", "true");
            return new Reply(saved.reply().status(), saved.reply().body(), false, headers);
        }
        if (storedFailures > 0) {
            storedFailures--;
            if (storedFailureActs) {
                route(r);
            }
            Reply failed = new Reply(500, error("api_error", null, "An unknown error occurred (stub, saved under the key).", null), true);
            if (key != null) {
                idempotent.put(key, new Saved(fingerprint, failed));
            }
            return failed;
        }
        Reply reply = route(r);
        if (key != null && reply.saveable()) {
            idempotent.put(key, new Saved(fingerprint, reply));
        }
        return reply;
    }

    private Reply route(Request r) {
        String path = r.path();
        Matcher finalize = FINALIZE.matcher(path);
        Matcher invoice = INVOICE.matcher(path);
        Matcher voiding = VOID.matcher(path);
        Matcher paying = PAY.matcher(path);
        if (r.method().equals("POST")) {
            if (path.equals("/v1/credit_notes")) {
                return creditNote(r.params());
            }
            if (voiding.matches()) {
                return transition(voiding.group(1), "void", r.params());
            }
            if (paying.matches()) {
                return transition(paying.group(1), "pay", r.params());
            }
            if (path.equals("/v1/customers")) {
                return createCustomer(r.params());
            }
            if (path.equals("/v1/invoices")) {
                return createInvoice(r.params());
            }
            if (path.equals("/v1/invoiceitems")) {
                return createInvoiceItem(r.params());
            }
            if (finalize.matches()) {
                return finalizeInvoice(finalize.group(1), r.params());
            }
            if (path.equals("/v1/refunds")) {
                return createRefund(r.params());
            }
            if (path.equals("/v1/billing/meter_events")) {
                return createMeterEvent(r.params());
            }
        } else if (r.method().equals("GET") && path.equals("/v1/refunds")) {
            ObjectNode list = JSON.createObjectNode().put("object", "list").put("has_more", false).put("url", "/v1/refunds");
            ArrayNode data = list.putArray("data");
            objects.values().stream().filter(o -> o.path("object").asText().equals("refund"))
                    .filter(o -> r.params().get("payment_intent") == null || r.params().get("payment_intent").equals(o.path("payment_intent").asText()))
                    .forEach(o -> data.add(o.deepCopy()));
            return ok(list);
        } else if (r.method().equals("GET") && invoice.matches()) {
            ObjectNode found = objects.get(invoice.group(1));
            return found != null && found.path("object").asText().equals("invoice") ? ok(found)
                    : missing("invoice", invoice.group(1), "id");
        }
        return new Reply(404, error("invalid_request_error", null, "Unrecognized request URL (" + r.method() + ": " + path + ").", null), false);
    }

    /** A credit note on an open invoice lowers what it asks for; at zero the invoice is paid. */
    private Reply creditNote(Map<String, String> p) {
        Reply invalid = require(p, "invoice", "amount");
        if (invalid != null) {
            return invalid;
        }
        ObjectNode invoice = objects.get(p.get("invoice"));
        if (invoice == null || !invoice.path("object").asText().equals("invoice")) {
            return missing("invoice", p.get("invoice"), "invoice");
        }
        Long amount = integer(p.get("amount"));
        long remaining = invoice.path("amount_remaining").asLong();
        if (!invoice.path("status").asText().equals("open") || amount == null || amount <= 0 || amount > remaining) {
            return new Reply(400, error("invalid_request_error", null, "The credit note amount must be positive and at most the invoice's"
                    + " remaining amount (" + remaining + ") of an open invoice.", "amount"), true);
        }
        ObjectNode note = create("cn", "credit_note");
        note.put("invoice", invoice.path("id").asText()).put("amount", amount).put("memo", p.get("memo"));
        invoice.put("amount_due", invoice.path("amount_due").asLong() - amount).put("amount_remaining", remaining - amount)
                .put("post_payment_credit_notes_amount", 0).put("pre_payment_credit_notes_amount",
                        invoice.path("pre_payment_credit_notes_amount").asLong() + amount);
        if (remaining - amount == 0) {
            invoice.put("status", "paid");
        }
        return ok(note);
    }

    /** Void or pay (out of band) an open invoice. */
    private Reply transition(String id, String what, Map<String, String> p) {
        ObjectNode invoice = objects.get(id);
        if (invoice == null || !invoice.path("object").asText().equals("invoice")) {
            return missing("invoice", id, "invoice");
        }
        if (!invoice.path("status").asText().equals("open")) {
            return new Reply(400, error("invalid_request_error", "invoice_not_open", "Only an open invoice can be " + (what.equals("void")
                    ? "voided" : "paid") + "; this one is " + invoice.path("status").asText() + ".", null), true);
        }
        if (what.equals("void")) {
            invoice.put("status", "void");
        } else {
            invoice.put("status", "paid").put("paid_out_of_band", Boolean.parseBoolean(p.getOrDefault("paid_out_of_band", "false")))
                    .put("amount_paid", invoice.path("amount_remaining").asLong()).put("amount_remaining", 0);
        }
        return ok(invoice);
    }

    private Reply createCustomer(Map<String, String> p) {
        ObjectNode customer = create("cus", "customer");
        customer.put("name", p.get("name")).put("email", p.get("email")).set("metadata", metadata(p));
        return ok(customer);
    }

    /**
     * A meter event as docs.stripe.com/api/billing/meter-event/create describes it: {@code event_name}, {@code
     * payload[stripe_customer_id]}, {@code payload[value]} (whole numbers only, negative to correct), {@code timestamp}
     * within the past 35 days and at most 5 minutes ahead, {@code identifier} unique (a second event under one
     * identifier is refused; the error's code is the stub's own).
     */
    private Reply createMeterEvent(Map<String, String> p) {
        Reply invalid = require(p, "event_name", "payload[stripe_customer_id]", "payload[value]");
        if (invalid != null) {
            return invalid;
        }
        Long value = integer(p.get("payload[value]"));
        if (value == null) {
            return new Reply(400, error("invalid_request_error", "parameter_invalid_integer", "payload[value] must be a whole number.",
                    "payload[value]"), true);
        }
        long now = System.currentTimeMillis() / 1000;
        Long timestamp = p.get("timestamp") == null ? Long.valueOf(now) : integer(p.get("timestamp"));
        if (timestamp == null || timestamp < now - 35L * 86_400 || timestamp > now + 300) {
            return new Reply(400, error("invalid_request_error", "timestamp_out_of_range",
                    "timestamp must be within the past 35 calendar days and at most 5 minutes in the future.", "timestamp"), true);
        }
        String identifier = p.get("identifier");
        if (identifier != null && meterEvents.stream().anyMatch(e -> identifier.equals(e.path("identifier").asText()))) {
            return new Reply(400, error("invalid_request_error", "duplicate_meter_event", "An event with identifier " + identifier
                    + " already exists.", "identifier"), true);
        }
        ObjectNode event = JSON.createObjectNode();
        event.put("object", "billing.meter_event").put("created", now).put("event_name", p.get("event_name"))
                .put("identifier", identifier == null ? "stub_" + (++sequence) : identifier).put("livemode", false).put("timestamp", timestamp);
        event.putObject("payload").put("stripe_customer_id", p.get("payload[stripe_customer_id]")).put("value", p.get("payload[value]"));
        meterEvents.add(event);
        return ok(event);
    }

    /** The meter events taken, in order. */
    public synchronized List<JsonNode> meterEvents() {
        return List.copyOf(meterEvents);
    }

    /** What a {@code sum} meter holds for a customer: the sum of its events' values. */
    public synchronized long meterSum(String eventName, String stripeCustomerId) {
        return meterEvents.stream().filter(e -> e.path("event_name").asText().equals(eventName))
                .filter(e -> e.path("payload").path("stripe_customer_id").asText().equals(stripeCustomerId))
                .mapToLong(e -> Long.parseLong(e.path("payload").path("value").asText())).sum();
    }

    private Reply createInvoice(Map<String, String> p) {
        Reply invalid = require(p, "customer");
        if (invalid != null) {
            return invalid;
        }
        if (!is(p.get("customer"), "customer")) {
            return missing("customer", p.get("customer"), "customer");
        }
        ObjectNode invoice = create("in", "invoice");
        invoice.put("customer", p.get("customer")).put("currency", p.getOrDefault("currency", "usd")).put("status", "draft")
                .put("collection_method", p.getOrDefault("collection_method", "charge_automatically"))
                .put("auto_advance", Boolean.parseBoolean(p.getOrDefault("auto_advance", "true")))
                .put("pending_invoice_items_behavior", p.get("pending_invoice_items_behavior")).put("description", p.get("description"))
                .put("total", 0).put("amount_due", 0).put("amount_paid", 0).put("amount_remaining", 0).putNull("payment_intent");
        invoice.set("metadata", metadata(p));
        ObjectNode lines = invoice.putObject("lines");
        lines.put("object", "list").put("has_more", false).put("total_count", 0).put("url", "/v1/invoices/" + invoice.path("id").asText() + "/lines");
        lines.putArray("data");
        return ok(invoice);
    }

    private Reply createInvoiceItem(Map<String, String> p) {
        Reply invalid = require(p, "customer", "currency", "amount");
        if (invalid != null) {
            return invalid;
        }
        Long amount = integer(p.get("amount"));
        if (amount == null) {
            return new Reply(400, error("invalid_request_error", "parameter_invalid_integer", "Invalid integer: " + p.get("amount"), "amount"), false);
        }
        if (!is(p.get("customer"), "customer")) {
            return missing("customer", p.get("customer"), "customer");
        }
        ObjectNode invoice = p.get("invoice") == null ? null : objects.get(p.get("invoice"));
        if (p.get("invoice") != null && (invoice == null || !invoice.path("object").asText().equals("invoice"))) {
            return missing("invoice", p.get("invoice"), "invoice");
        }
        if (invoice != null && !invoice.path("status").asText().equals("draft")) {
            return new Reply(400, error("invalid_request_error", "invoice_not_editable", "You can only add invoice items to draft invoices.", "invoice"), true);
        }
        if (invoice != null && (!invoice.path("customer").asText().equals(p.get("customer")) || !invoice.path("currency").asText().equals(p.get("currency")))) {
            return new Reply(400, error("invalid_request_error", null, "The invoice item's customer and currency must match the invoice's.", "invoice"), true);
        }
        ObjectNode item = create("ii", "invoiceitem");
        item.put("amount", amount).put("currency", p.get("currency")).put("customer", p.get("customer")).put("description", p.get("description"))
                .put("invoice", p.get("invoice"));
        if (p.containsKey("period[start]")) {
            item.putObject("period").put("start", integer(p.get("period[start]"))).put("end", integer(p.get("period[end]")));
        }
        item.set("metadata", metadata(p));
        if (invoice != null) {
            ArrayNode data = (ArrayNode) invoice.path("lines").path("data");
            ObjectNode line = data.addObject();
            line.put("id", "il_stub" + (++sequence)).put("object", "line_item").put("amount", amount).put("currency", p.get("currency"))
                    .put("description", p.get("description")).put("invoice_item", item.path("id").asText());
            recompute(invoice);
        }
        return ok(item);
    }

    private Reply finalizeInvoice(String id, Map<String, String> p) {
        ObjectNode invoice = objects.get(id);
        if (invoice == null || !invoice.path("object").asText().equals("invoice")) {
            return missing("invoice", id, "invoice");
        }
        if (!invoice.path("status").asText().equals("draft")) {
            return new Reply(400, error("invalid_request_error", "invoice_not_editable",
                    "This invoice is already finalized, you can't re-finalize a non-draft invoice.", null), true);
        }
        recompute(invoice);
        if (p.containsKey("auto_advance")) {
            invoice.put("auto_advance", Boolean.parseBoolean(p.get("auto_advance")));
        }
        invoice.put("status", invoice.path("amount_due").asLong() == 0 ? "paid" : "open");
        finalizations++;
        return ok(invoice);
    }

    private Reply createRefund(Map<String, String> p) {
        Reply invalid = require(p, "payment_intent");
        if (invalid != null) {
            return invalid;
        }
        ObjectNode pi = objects.get(p.get("payment_intent"));
        if (pi == null || !pi.path("object").asText().equals("payment_intent")) {
            return missing("payment_intent", p.get("payment_intent"), "payment_intent");
        }
        long unrefunded = pi.path("amount_received").asLong() - pi.path("amount_refunded").asLong();
        Long amount = p.containsKey("amount") ? integer(p.get("amount")) : Long.valueOf(unrefunded);
        if (amount == null || amount <= 0) {
            return new Reply(400, error("invalid_request_error", "parameter_invalid_integer", "Invalid positive integer", "amount"), false);
        }
        if (amount > unrefunded) {
            return new Reply(400, error("invalid_request_error", null, "Refund amount (" + amount + ") is greater than unrefunded amount on charge ("
                    + unrefunded + ")", "amount"), true);
        }
        ObjectNode refund = create("re", "refund");
        String status = nextRefundStatus;
        nextRefundStatus = "succeeded";
        refund.put("amount", amount).put("currency", pi.path("currency").asText()).put("payment_intent", pi.path("id").asText())
                .put("reason", p.get("reason")).put("status", status).set("metadata", metadata(p));
        if (!status.equals("failed") && !status.equals("canceled")) {
            pi.put("amount_refunded", pi.path("amount_refunded").asLong() + amount);
        }
        return ok(refund);
    }

    private static void recompute(ObjectNode invoice) {
        long total = 0;
        for (JsonNode line : invoice.path("lines").path("data")) {
            total += line.path("amount").asLong();
        }
        long due = Math.max(0, total);
        invoice.put("total", total).put("amount_due", due).put("amount_remaining", due - invoice.path("amount_paid").asLong());
        ((ObjectNode) invoice.path("lines")).put("total_count", invoice.path("lines").path("data").size());
    }

    private ObjectNode create(String prefix, String object) {
        ObjectNode o = JSON.createObjectNode();
        String id = prefix + "_stub" + (++sequence);
        o.put("id", id).put("object", object).put("created", System.currentTimeMillis() / 1000).put("livemode", false);
        objects.put(id, o);
        created.merge(object, 1, Integer::sum);
        return o;
    }

    private boolean is(String id, String object) {
        return id != null && objects.containsKey(id) && objects.get(id).path("object").asText().equals(object);
    }

    private static ObjectNode metadata(Map<String, String> p) {
        ObjectNode metadata = JSON.createObjectNode();
        p.forEach((name, value) -> {
            if (name.startsWith("metadata[") && name.endsWith("]")) {
                metadata.put(name.substring("metadata[".length(), name.length() - 1), value);
            }
        });
        return metadata;
    }

    private static Reply require(Map<String, String> p, String... names) {
        for (String name : names) {
            if (p.get(name) == null || p.get(name).isEmpty()) {
                return new Reply(400, error("invalid_request_error", "parameter_missing", "Missing required param: " + name + ".", name), false);
            }
        }
        return null;
    }

    private static Reply ok(ObjectNode object) {
        return new Reply(200, object.deepCopy(), true);
    }

    private static Reply missing(String object, String id, String param) {
        return new Reply(404, error("invalid_request_error", "resource_missing", "No such " + object + ": '" + id + "'", param), true);
    }

    private static ObjectNode error(String type, String code, String message, String param) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("type", type).put("message", message);
        if (code != null) {
            error.put("code", code);
        }
        if (param != null) {
            error.put("param", param);
        }
        return body;
    }

    private static Long integer(String value) {
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String masked(String key) {
        int prefix = key.indexOf('_', key.indexOf('_') + 1) + 1;
        return key.length() <= 8 || prefix <= 0 ? "****" : key.substring(0, prefix) + "*".repeat(Math.max(4, key.length() - prefix - 4))
                + key.substring(key.length() - 4);
    }

    private static Map<String, String> decode(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        if (form == null || form.isEmpty()) {
            return params;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
