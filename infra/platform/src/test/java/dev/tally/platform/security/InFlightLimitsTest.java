package dev.tally.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightLimitsTest {
    @Test
    void aCallerHoldsAtMostTheLimitAndOthersAreNotTouched() {
        InFlightLimits l = new InFlightLimits(3);
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAcquire("a")).isTrue();
        }
        assertThat(l.tryAcquire("a")).isFalse();
        assertThat(l.inFlight("a")).as("a refusal takes nothing").isEqualTo(3);
        assertThat(l.tryAcquire("b")).isTrue();
        l.release("a");
        assertThat(l.tryAcquire("a")).isTrue();
        for (int i = 0; i < 3; i++) {
            l.release("a");
        }
        l.release("b");
        assertThat(l.inFlight("a")).isZero();
        assertThat(l.inFlight("b")).isZero();
        assertThat(new InFlightLimits(0).tryAcquire("a")).as("0: no limit").isTrue();
    }

    @Test
    void underContentionTheLimitHoldsExactlyAndEveryPlaceComesBack() throws Exception {
        InFlightLimits l = new InFlightLimits(5);
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger now = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            done.add(pool.submit(() -> {
                go.await();
                int taken = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (l.tryAcquire("k")) {
                        taken++;
                        peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                        now.decrementAndGet();
                        l.release("k");
                    }
                }
                return taken;
            }));
        }
        go.countDown();
        int taken = 0;
        for (Future<Integer> f : done) {
            taken += f.get();
        }
        pool.shutdown();
        assertThat(peak.get()).isLessThanOrEqualTo(5);
        assertThat(taken).isPositive();
        assertThat(l.inFlight("k")).as("every place given back").isZero();
    }
}
