package dev.tally.admin.console;

import dev.tally.admin.config.AdminConfig;
import dev.tally.admin.config.ServiceClients;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The overview's figures, read from the services themselves: every 15 s their Prometheus endpoint ({@code /q/metrics})
 * is scraped and the Tally series kept for 10 minutes, so "per minute" is the difference between two scrapes a minute
 * apart — never a number the console makes up. Counts are exact decimals (Prometheus writes them as floats; a count
 * below 2^53 is exact there).
 */
@ApplicationScoped
public class ServiceMetrics {
    static final Duration KEEP = Duration.ofMinutes(10);

    @Inject
    AdminConfig config;
    @Inject
    Clock clock;

    private final HttpClient client = ServiceClients.create(Duration.ofSeconds(2));
    private final Map<String, Deque<Sample>> samples = new ConcurrentHashMap<>();

    /** One scrape of one service: each Tally series ({@code name{labels}}) and its value; {@code error} when it failed. */
    record Sample(Instant at, Map<String, BigDecimal> series, String error) {
    }

    @Scheduled(every = "15s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scrape() {
        for (Map.Entry<String, URI> s : config.services().entrySet()) {
            Sample sample = read(s.getValue());
            Deque<Sample> d = samples.computeIfAbsent(s.getKey(), k -> new ArrayDeque<>());
            synchronized (d) {
                d.addLast(sample);
                while (!d.isEmpty() && d.peekFirst().at().isBefore(sample.at().minus(KEEP))) {
                    d.removeFirst();
                }
            }
        }
    }

    private Sample read(URI base) {
        Instant at = clock.instant();
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + "/q/metrics"))
                    .timeout(config.probeTimeout()).header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new Sample(at, Map.of(), "/q/metrics answered " + r.statusCode());
            }
            return new Sample(at, parse(r.body()), null);
        } catch (Exception e) {
            return new Sample(at, Map.of(), e.getClass().getSimpleName());
        }
    }

    /** The {@code tally_*} series of a Prometheus text exposition, keyed {@code name{label="value",…}} with labels sorted. */
    static Map<String, BigDecimal> parse(String text) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("tally_")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = brace < 0 ? line.indexOf(' ') : line.indexOf(' ', line.lastIndexOf('}'));
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, brace < 0 ? space : brace);
            TreeMap<String, String> labels = new TreeMap<>();
            if (brace >= 0) {
                for (String kv : line.substring(brace + 1, line.lastIndexOf('}')).split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        labels.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip().replaceAll("^\"|\"$", ""));
                    }
                }
            }
            String value = line.substring(space + 1).strip().split(" ")[0];
            try {
                out.put(key(name, labels), new BigDecimal(value));
            } catch (NumberFormatException e) {
                // NaN, +Inf: no figure
            }
        }
        return out;
    }

    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** A service's latest scrape as template data: its gauges, and each counter's rate per minute over the last minute. */
    public Map<String, Object> view(String service) {
        Deque<Sample> d = samples.get(service);
        Map<String, Object> v = new LinkedHashMap<>();
        if (d == null || d.isEmpty()) {
            v.put("error", "not scraped yet (every 15 s)");
            v.put("gauges", List.of());
            return v;
        }
        Sample latest;
        Sample before = null;
        synchronized (d) {
            latest = d.peekLast();
            for (Sample s : d) {
                if (s.error() == null && !s.at().isAfter(latest.at().minusSeconds(55))) {
                    before = s; // the newest scrape at least about a minute older than the latest
                }
            }
        }
        v.put("at", latest.at().toString());
        v.put("error", latest.error());
        v.put("gauges", gauges(latest.series()));
        if (before != null && latest.error() == null) {
            long seconds = Duration.between(before.at(), latest.at()).toSeconds();
            v.put("windowSeconds", seconds);
            List<Map<String, Object>> rates = new ArrayList<>();
            for (Map.Entry<String, BigDecimal> e : latest.series().entrySet()) {
                if (!e.getKey().contains("_total")) {
                    continue;
                }
                BigDecimal was = before.series().getOrDefault(e.getKey(), BigDecimal.ZERO);
                BigDecimal delta = e.getValue().subtract(was);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("series", e.getKey());
                r.put("labels", labels(e.getKey()));
                r.put("perMinute", delta.signum() < 0 ? null : delta.multiply(BigDecimal.valueOf(60)).divide(BigDecimal.valueOf(seconds), 1,
                        RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
                r.put("total", e.getValue().stripTrailingZeros().toPlainString());
                rates.add(r);
            }
            v.put("rates", rates);
        }
        return v;
    }

    /**
     * The gauges the overview lists: not counters (their rates are shown apart), not a histogram's buckets, count and
     * sum, and not the lag of each partition (the consumer's total is here; each partition is on the Grafana dashboard).
     */
    static List<Map<String, Object>> gauges(Map<String, BigDecimal> series) {
        List<Map<String, Object>> out = new ArrayList<>();
        series.forEach((k, val) -> {
            String name = k.contains("{") ? k.substring(0, k.indexOf('{')) : k;
            if (!name.endsWith("_total") && !name.endsWith("_bucket") && !name.endsWith("_count") && !name.endsWith("_sum")
                    && !name.equals("tally_consumer_partition_lag_records")) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("series", k);
                g.put("name", name);
                g.put("labels", labels(k));
                g.put("value", val.stripTrailingZeros().toPlainString());
                out.add(g);
            }
        });
        return out;
    }

    private static Map<String, String> labels(String key) {
        Map<String, String> m = new LinkedHashMap<>();
        int brace = key.indexOf('{');
        if (brace < 0) {
            return m;
        }
        for (String kv : key.substring(brace + 1, key.length() - 1).split("\",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1).replace("\"", ""));
            }
        }
        return m;
    }
}
