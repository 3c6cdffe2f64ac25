package dev.tally.invoicing;

import dev.tally.invoicing.payment.stripe.StripeStub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A local stub of Stripe's API for the service under test: {@code tally.stripe.api-base} points at it. */
public class StripeStubResource implements QuarkusTestResourceLifecycleManager {
    static final String API_KEY = "sk_test_tally_stub_key_0123456789";
    static volatile StripeStub stub;

    @Override
    public Map<String, String> start() {
        stub = new StripeStub(API_KEY);
        return Map.of("tally.stripe.api-base", stub.uri().toString());
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.close();
        }
    }
}
