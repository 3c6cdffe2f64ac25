package dev.tally.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Envelope encryption of secrets at rest: sealed, opened, bound to its place, rotated, and refused when altered. */
class SecretBoxTest {
    private static final String K1 = SecretBox.newKey("k1");
    private static final String K2 = SecretBox.newKey("k2");
    private static final String STRIPE = "sk_test_51Hx0000000000000000000000000secret";

    @Test
    void aSealedSecretOpensOnlyWithItsKeyAndInItsPlace() {
        SecretBox box = SecretBox.of(K1);
        String sealed = box.seal(STRIPE, "payment_provider.api_key:ten_a");
        assertThat(sealed).startsWith("tse1:k1:").doesNotContain(STRIPE).doesNotContain("sk_test");
        assertThat(box.seal(STRIPE, "payment_provider.api_key:ten_a")).as("a fresh data key and nonce each time").isNotEqualTo(sealed);
        assertThat(box.open(sealed, "payment_provider.api_key:ten_a")).isEqualTo(STRIPE);
        // copied to another tenant's row, or opened with another deployment's key: refused
        assertThatThrownBy(() -> box.open(sealed, "payment_provider.api_key:ten_b")).hasMessageContaining("copied from elsewhere");
        assertThatThrownBy(() -> SecretBox.of(SecretBox.newKey("k1")).open(sealed, "payment_provider.api_key:ten_a"))
                .isInstanceOf(IllegalStateException.class);
        // one changed character: refused
        char[] c = sealed.toCharArray();
        c[c.length - 5] = c[c.length - 5] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> box.open(new String(c), "payment_provider.api_key:ten_a")).isInstanceOf(IllegalStateException.class);
        assertThat(box.seal(null, "x")).isNull();
    }

    @Test
    void rotationMovesEachValueToTheNewKeyWithoutChangingIt() {
        String sealed = SecretBox.of(K1).seal(STRIPE, "ctx");
        SecretBox both = SecretBox.of(K2 + "," + K1);
        assertThat(both.open(sealed, "ctx")).as("the old key still opens").isEqualTo(STRIPE);
        assertThat(both.needsRewrap(sealed)).isTrue();
        String moved = both.rewrap(sealed, "ctx");
        assertThat(moved).startsWith("tse1:k2:");
        assertThat(moved.substring(moved.lastIndexOf(':'))).as("the ciphertext stays; only the wrapped data key changes")
                .isEqualTo(sealed.substring(sealed.lastIndexOf(':')));
        assertThat(both.needsRewrap(moved)).isFalse();
        SecretBox onlyNew = SecretBox.of(K2);
        assertThat(onlyNew.open(moved, "ctx")).as("the old key can go").isEqualTo(STRIPE);
        assertThatThrownBy(() -> onlyNew.open(sealed, "ctx")).hasMessageContaining("no longer holds");
        assertThatThrownBy(() -> both.rewrap(sealed, "other")).as("a value is moved only in its own place").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPlaintextFromBeforeEncryptionIsReadAndMarkedForSealing() {
        SecretBox box = SecretBox.of(K1);
        assertThat(box.open("whsec_plain", "ctx")).isEqualTo("whsec_plain");
        assertThat(box.needsRewrap("whsec_plain")).isTrue();
        String sealed = box.rewrap("whsec_plain", "ctx");
        assertThat(sealed).startsWith("tse1:k1:");
        assertThat(box.open(sealed, "ctx")).isEqualTo("whsec_plain");
    }

    @Test
    void badKeysAreRefusedWithoutShowingThem() {
        assertThatThrownBy(() -> SecretBox.of("")).hasMessageContaining("TALLY_SECRETS_KEYS");
        assertThatThrownBy(() -> SecretBox.of("k1:c2hvcnQ=")).hasMessageContaining("32 bytes").hasMessageNotContaining("c2hvcnQ");
        assertThatThrownBy(() -> SecretBox.of(K1 + "," + K1)).hasMessageContaining("twice");
        assertThatThrownBy(() -> SecretBox.of("k 1:abc")).hasMessageContaining("kid");
        assertThat(SecretBox.of(K2 + "," + K1).kids()).containsExactly("k2", "k1");
    }
}
