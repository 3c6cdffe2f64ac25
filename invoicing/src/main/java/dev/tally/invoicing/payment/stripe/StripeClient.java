package dev.tally.invoicing.payment.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.invoicing.payment.ProviderException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Stripe's HTTP API as the adapter uses it: a form-encoded POST with the tenant's secret key, a pinned
 * {@code Stripe-Version} and an {@code Idempotency-Key}, answered with JSON. Turns every failure into a
 * {@link ProviderException} that says whether the same call (same key) may be retried:
 * <ul>
 * <li>no answer (connection refused, timeout, reset) and 429/5xx: retryable — with the same idempotency key
 * Stripe either replays what it did or does it now;</li>
 * <li>a 409 other than an {@code idempotency_error}: retryable — Stripe answers 409 when another request with
 * the same key is still running ({@code idempotency_key_in_use}) or a lock timed out, and saves no result for
 * it, which is why Stripe's own libraries retry 409s;</li>
 * <li>other 4xx, and any {@code idempotency_error} (the key was used with other parameters): not retryable;</li>
 * <li>Stripe's {@code Stripe-Should-Retry: true|false} header, when present, overrides all of the above.</li>
 * </ul>
 * Messages carry the method, path, status and Stripe's {@code error.type}/{@code code}/{@code message}, never a
 * request header; anything shaped like an API key is masked, since Stripe's 401 message quotes part of the key.
 */
final class StripeClient {
    static final String API_VERSION = "2024-06-20";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY_LIKE = Pattern.compile("\\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9*]+");

    private final String apiBase;
    private final Duration timeout;
    private final HttpClient http;

    StripeClient(URI apiBase, Duration timeout) {
        this.apiBase = apiBase.toString().replaceAll("/+$", "");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** POSTs {@code form} to {@code path} (e.g. {@code /v1/customers}) and returns the JSON object Stripe answered. */
    JsonNode post(String apiKey, String path, Form form, String idempotencyKey) throws ProviderException {
        String call = "Stripe POST " + path;
        if (apiKey == null || apiKey.isBlank()) {
            throw new ProviderException(call + ": no Stripe API key configured for the tenant", false, 0);
        }
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new ProviderException(call + ": no idempotency key (every Stripe POST needs one)", false, 0);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(apiBase + path))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Stripe-Version", API_VERSION)
                    .header("Content-Type", FORM)
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(form.encode(), StandardCharsets.UTF_8))
                    .build();
        } catch (IllegalArgumentException e) {
            // An invalid header value (say, a key with a line break): the JDK's message may quote it, so drop it.
            throw new ProviderException(call + ": invalid API key, idempotency key or URL", false, 0);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProviderException(call + ": no answer (" + e.getClass().getSimpleName() + ")", true, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(call + ": interrupted while waiting for Stripe", true, 0);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            try {
                JsonNode body = JSON.readTree(response.body());
                if (body != null && body.isObject()) {
                    return body;
                }
            } catch (IOException e) {
                // fall through: an unreadable 2xx leaves the outcome unknown, so the call must be retried
            }
            throw new ProviderException(call + ": " + status + " with an unreadable body", true, status);
        }
        throw error(call, status, response, apiKey);
    }

    /** GETs {@code pathAndQuery} and returns the JSON object Stripe answered (GETs need no idempotency key). */
    JsonNode get(String apiKey, String pathAndQuery) throws ProviderException {
        String call = "Stripe GET " + pathAndQuery.replaceAll("\\?.*", "");
        if (apiKey == null || apiKey.isBlank()) {
            throw new ProviderException(call + ": no Stripe API key configured for the tenant", false, 0);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiBase + pathAndQuery)).timeout(timeout)
                .header("Authorization", "Bearer " + apiKey).header("Stripe-Version", API_VERSION).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProviderException(call + ": no answer (" + e.getClass().getSimpleName() + ")", true, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(call + ": interrupted while waiting for Stripe", true, 0);
        }
        if (response.statusCode() / 100 == 2) {
            JsonNode body = parse(response.body());
            if (body.isObject()) {
                return body;
            }
            throw new ProviderException(call + ": " + response.statusCode() + " with an unreadable body", true, response.statusCode());
        }
        throw error(call, response.statusCode(), response, apiKey);
    }

    private static ProviderException error(String call, int status, HttpResponse<String> response, String apiKey) {
        JsonNode error = parse(response.body()).path("error");
        String type = error.path("type").asText("");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        Optional<String> shouldRetry = response.headers().firstValue("Stripe-Should-Retry");
        StringBuilder text = new StringBuilder(call).append(": ").append(status);
        if (!type.isEmpty()) {
            text.append(' ').append(type);
        }
        if (!code.isEmpty()) {
            text.append(" (").append(code).append(')');
        }
        if (!message.isEmpty()) {
            text.append(": ").append(message);
        }
        return new ProviderException(mask(text.toString(), apiKey), retryable(status, type, shouldRetry), status);
    }

    /** Whether a call Stripe answered with {@code status} may be retried with the same idempotency key. */
    static boolean retryable(int status, String errorType, Optional<String> shouldRetry) {
        if (shouldRetry.isPresent()) {
            return Boolean.parseBoolean(shouldRetry.get().trim());
        }
        if (status == 429 || status >= 500) {
            return true;
        }
        return status == 409 && !"idempotency_error".equals(errorType);
    }

    /** {@code text} without the API key or anything that looks like one. */
    static String mask(String text, String apiKey) {
        String masked = apiKey == null || apiKey.isBlank() ? text : text.replace(apiKey, "***");
        return KEY_LIKE.matcher(masked).replaceAll("***");
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /**
     * Parameters of a Stripe POST in the order they were put, form-encoded as UTF-8; nested ones use Stripe's
     * bracket syntax ({@code metadata[tally_invoice_id]}). A null value is left out.
     */
    static final class Form {
        private final Map<String, String> params = new LinkedHashMap<>();

        Form put(String name, Object value) {
            if (value != null) {
                params.put(name, value.toString());
            }
            return this;
        }

        Form metadata(String name, Object value) {
            return put("metadata[" + name + "]", value);
        }

        String encode() {
            StringJoiner body = new StringJoiner("&");
            params.forEach((name, value) -> body.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
            return body.toString();
        }
    }
}
