package dev.tally.bench;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Realistic events, fast (a StringBuilder, no JSON library), with exact re-sends as duplicates. */
final class Generator {
    private final String profile;
    private final double dupRate;
    private final String run;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong count = new AtomicLong();

    Generator(String profile, double dupRate, long seed) {
        this.profile = profile;
        this.dupRate = dupRate;
        this.run = Long.toString(seed, 36);
    }

    record Body(String json, int events, int duplicates) {
    }

    Body body(int batch) {
        SplittableRandom random = new SplittableRandom(seq.get() * 31 + System.nanoTime());
        StringBuilder sb = new StringBuilder(batch * 260).append("{\"events\":[");
        long[] sentHere = new long[batch];
        int dups = 0;
        for (int i = 0; i < batch; i++) {
            long n;
            if (i > 0 && random.nextDouble() < dupRate) {
                // an exact re-send: of an event earlier in this request, or of one from an earlier request
                long last = seq.get();
                n = random.nextBoolean() || last <= batch * 4L ? sentHere[random.nextInt(i)] : last - batch * 2L - random.nextInt(batch);
                dups++;
            } else {
                n = seq.getAndIncrement();
            }
            sentHere[i] = n;
            if (i > 0) {
                sb.append(',');
            }
            String e = eventJson(n);
            bytes.addAndGet(e.length());
            count.incrementAndGet();
            sb.append(e);
        }
        return new Body(sb.append("]}").toString(), batch, dups);
    }

    int averageEventBytes() {
        return (int) (bytes.get() / Math.max(1, count.get()));
    }

    /** Event number {@code n}: the same n always gives the same event (so a re-send is exact). */
    String eventJson(long n) {
        SplittableRandom r = new SplittableRandom(n * 0x9E3779B97F4A7C15L);
        int customer = r.nextInt(IngestLoad.CUSTOMERS);
        String time = Instant.now().minusSeconds(r.nextInt(3600)).toString();
        boolean gateway = profile.equals("gateway") || (profile.equals("mixed") && (n & 1) == 0);
        StringBuilder sb = new StringBuilder(256).append("{\"id\":\"").append(run).append('-').append(n).append("\",");
        if (gateway) {
            int kind = r.nextInt(10);
            if (kind < 8) {
                sb.append("\"type\":\"http.request\",\"timestamp\":\"").append(time).append("\",\"properties\":{\"ip\":\"10.")
                        .append(customer).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256))
                        .append("\",\"method\":\"").append(kind < 6 ? "GET" : "POST").append("\",\"status\":")
                        .append(kind == 7 ? 502 : 200).append(",\"bytes_in\":").append(r.nextInt(200, 20_000))
                        .append(",\"bytes_out\":").append(r.nextLong(500, 5_000_000)).append(",\"route\":\"/api/v")
                        .append(1 + r.nextInt(3)).append("/items\"}}");
            } else {
                sb.append("\"type\":\"tunnel.session\",\"timestamp\":\"").append(time).append("\",\"properties\":{\"ip\":\"10.")
                        .append(customer).append(".0.").append(1 + r.nextInt(250)).append("\",\"tunnel\":\"tn-").append(r.nextInt(5000))
                        .append("\",\"seconds\":").append(r.nextInt(1, 86_400)).append(",\"bytes\":").append(r.nextLong(1_000, 50_000_000_000L))
                        .append(",\"region\":\"").append(r.nextBoolean() ? "eu" : "us").append("\"}}");
            }
        } else {
            int kind = r.nextInt(10);
            sb.append("\"customer\":\"cust-").append(customer).append("\",\"timestamp\":\"").append(time).append("\",");
            if (kind < 6) {
                sb.append("\"type\":\"error\",\"properties\":{\"project\":\"p-").append(r.nextInt(40)).append("\",\"level\":\"")
                        .append(kind < 4 ? "error" : "fatal").append("\",\"platform\":\"java\",\"size_bytes\":").append(r.nextInt(800, 64_000))
                        .append('}');
            } else if (kind < 9) {
                sb.append("\"type\":\"transaction\",\"properties\":{\"project\":\"p-").append(r.nextInt(40))
                        .append("\",\"duration_ms\":").append(r.nextInt(1, 30_000)).append('.').append(r.nextInt(1000))
                        .append(",\"spans\":").append(r.nextInt(1, 400)).append('}');
            } else {
                sb.append("\"type\":\"attachment\",\"properties\":{\"project\":\"p-").append(r.nextInt(40))
                        .append("\",\"kind\":\"minidump\",\"size_bytes\":").append(r.nextLong(10_000, 100_000_000)).append('}');
            }
            sb.append('}');
        }
        return sb.toString();
    }
}
