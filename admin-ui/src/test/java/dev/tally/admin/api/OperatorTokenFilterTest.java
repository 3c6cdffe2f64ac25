package dev.tally.admin.api;

import static dev.tally.admin.api.OperatorTokenFilter.presentedToken;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OperatorTokenFilterTest {
    static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTokenIsTheBearerCredentialOrTheBasicPassword() {
        assertThat(presentedToken("Bearer s3cret")).isEqualTo("s3cret");
        assertThat(presentedToken("bearer s3cret")).isEqualTo("s3cret");
        assertThat(presentedToken(basic("ops:s3cret"))).isEqualTo("s3cret");
        assertThat(presentedToken(basic(":s3cret"))).isEqualTo("s3cret");
        assertThat(presentedToken(basic("ops:s3:cret"))).isEqualTo("s3:cret");
        assertThat(presentedToken(basic("ops:tökén"))).isEqualTo("tökén");
    }

    @Test
    void missingOrMalformedCredentialsPresentNoToken() {
        assertThat(presentedToken(null)).isNull();
        assertThat(presentedToken("")).isNull();
        assertThat(presentedToken("Bearer")).isNull();
        assertThat(presentedToken("Bearer   ")).isNull();
        assertThat(presentedToken("Basic %%%")).isNull();
        assertThat(presentedToken(basic("ops"))).isNull();
        assertThat(presentedToken(basic("ops:"))).isNull();
        assertThat(presentedToken("Digest username=ops")).isNull();
    }
}
