package dev.tally.invoicing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.invoicing.webhook.WebhookDispatcher;
import dev.tally.model.webhook.Backoff;
import dev.tally.platform.security.WebhookSignature;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    @Test
    void aSignatureVerifiesOnlyForItsSecretBodyAndTime() {
        String body = "{\"alertId\":\"a\",\"percent\":80}";
        String h = WebhookSignature.header("whsec_1", 1_700_000_000L, body);
        assertThat(h).startsWith("t=1700000000,v1=").hasSize("t=1700000000,v1=".length() + 64);
        assertThat(WebhookSignature.verify("whsec_1", h, body, 1_700_000_100L, 300)).isTrue();
        assertThat(WebhookSignature.verify("whsec_2", h, body, 1_700_000_100L, 300)).isFalse();
        assertThat(WebhookSignature.verify("whsec_1", h, body + " ", 1_700_000_100L, 300)).isFalse();
        assertThat(WebhookSignature.verify("whsec_1", h, body, 1_700_000_400L, 300)).as("replayed too late").isFalse();
        assertThat(WebhookSignature.verify("whsec_1", "t=x,v1=00", body, 1_700_000_000L, 300)).isFalse();
        assertThat(WebhookSignature.verify("whsec_1", null, body, 1_700_000_000L, 300)).isFalse();
    }

    /** Endpoints may not point into Tally's own network (unless a local run allows it). */
    @Test
    void internalAddressesAreRecognised() throws Exception {
        for (String host : new String[] {"127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.5", "169.254.169.254", "0.0.0.0", "::1", "fd00::1",
                "localhost"}) {
            assertThat(WebhookDispatcher.internal(host)).as(host).isTrue();
        }
        for (String host : new String[] {"8.8.8.8", "203.0.113.7", "2001:db8::1"}) {
            assertThat(WebhookDispatcher.internal(host)).as(host).isFalse();
        }
    }

    @Test
    void retriesBackOffExponentiallyUpToAnHour() {
        assertThat(Backoff.after(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.after(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.after(11)).isEqualTo(Duration.ofSeconds(1024));
        assertThat(Backoff.after(13)).isEqualTo(Duration.ofHours(1));
        assertThat(Backoff.after(12)).isEqualTo(Duration.ofSeconds(2048));
    }
}
