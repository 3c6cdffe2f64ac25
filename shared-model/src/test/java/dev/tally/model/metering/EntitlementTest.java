package dev.tally.model.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EntitlementTest {
    @Test
    void boundsAreExactAndAHardLimitBlocksAtTheLimit() {
        Entitlement e = new Entitlement(new BigDecimal("1000"), true, null);
        assertThat(e.alertAt()).containsExactly(50, 80, 100);
        assertThat(e.bound(80)).isEqualByComparingTo("800");
        assertThat(e.crossed(new BigDecimal("499.999"), new BigDecimal("500"))).containsExactly(50);
        assertThat(e.crossed(new BigDecimal("500"), new BigDecimal("999.99"))).containsExactly(80);
        assertThat(e.crossed(new BigDecimal("900"), new BigDecimal("100"))).isEmpty();
        assertThat(e.blocked(new BigDecimal("999.999999"))).isFalse();
        assertThat(e.blocked(new BigDecimal("1000"))).isTrue();
        assertThat(e.remaining(new BigDecimal("1200"))).isEqualByComparingTo("0");
        assertThat(new Entitlement(new BigDecimal("1000"), false, null).blocked(new BigDecimal("5000"))).isFalse();
        assertThat(new Entitlement(new BigDecimal("3"), false, List.of(100, 33, 33)).bound(33)).isEqualByComparingTo("0.99");
        assertThatThrownBy(() -> new Entitlement(BigDecimal.ZERO, true, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Entitlement(BigDecimal.TEN, true, List.of(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Entitlement(BigDecimal.TEN, true, List.of(101))).isInstanceOf(IllegalArgumentException.class);
    }

    /** On growing usage, however it is split into polls, every reached threshold is crossed exactly once. */
    @Property
    void growingUsageCrossesEachReachedThresholdExactlyOnce(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 400) Integer> deltas,
            @ForAll @IntRange(min = 1, max = 5000) int limit) {
        Entitlement e = new Entitlement(BigDecimal.valueOf(limit).movePointLeft(1), true, List.of(10, 50, 80, 100));
        BigDecimal used = BigDecimal.ZERO;
        List<Integer> crossed = new ArrayList<>();
        for (int d : deltas) {
            BigDecimal next = used.add(BigDecimal.valueOf(d).movePointLeft(1));
            crossed.addAll(e.crossed(used, next));
            used = next;
        }
        assertThat(crossed).containsExactlyElementsOf(e.reached(used));
    }
}
