package dev.tally.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The console's pure parts: reading Prometheus text, the plan diff, the usage chart. */
class ConsolePartsTest {
    @Test
    void onlyTallySeriesAreReadWithSortedLabelsAndExactValues() {
        Map<String, BigDecimal> s = ServiceMetrics.parse("""
                # HELP tally_ingest_events_total what senders were answered
                # TYPE tally_ingest_events_total counter
                tally_ingest_events_total{outcome="rejected",code="invalid_event",} 3.0
                tally_ingest_events_total{code="accepted",outcome="accepted"} 1.2345678E7
                tally_outbox_backlog_rows 0.0
                tally_rating_watermark_age_seconds NaN
                jvm_memory_used_bytes{area="heap",} 1.0E8
                """);
        assertThat(s).containsOnlyKeys("tally_ingest_events_total{code=\"invalid_event\",outcome=\"rejected\"}",
                "tally_ingest_events_total{code=\"accepted\",outcome=\"accepted\"}", "tally_outbox_backlog_rows");
        assertThat(s.get("tally_ingest_events_total{code=\"accepted\",outcome=\"accepted\"}")).isEqualByComparingTo("12345678");
    }

    /** The overview lists gauges only: no counter, no histogram bucket/count/sum, no per-partition lag. */
    @Test
    void theOverviewListsGaugesNotHistogramBucketsNorEachPartition() {
        Map<String, BigDecimal> s = ServiceMetrics.parse("""
                tally_rating_freshness_seconds_bucket{le="0.5",} 10.0
                tally_rating_freshness_seconds_count 10.0
                tally_rating_freshness_seconds_sum 2.5
                tally_rating_freshness_seconds_max 0.274
                tally_consumer_partition_lag_records{consumer="rating-events",partition="0",topic="tally.events.accepted",} 0.0
                tally_consumer_lag_records{consumer="rating-events",} 0.0
                tally_rating_events_rated_total 10.0
                """);
        assertThat(ServiceMetrics.gauges(s)).extracting(g -> g.get("name"))
                .containsExactlyInAnyOrder("tally_rating_freshness_seconds_max", "tally_consumer_lag_records");
    }

    /** Before the first scrape the overview still renders: no figures, the reason, and an empty list to loop over. */
    @Test
    void aServiceNotScrapedYetHasAReasonAndNoFigures() {
        Map<String, Object> v = new ServiceMetrics().view("ingest");
        assertThat(v.get("error")).asString().contains("not scraped yet");
        assertThat(v.get("gauges")).isEqualTo(List.of());
    }

    @Test
    void theDiffKeepsCommonLinesAndMarksWhatChanged() {
        List<LineDiff.Line> d = LineDiff.of("{\n  \"unitPrice\" : \"0.09\",\n  \"meter\" : \"bytes\"\n}", "{\n  \"unitPrice\" : \"0.08\",\n  \"meter\" : \"bytes\"\n}");
        assertThat(d).extracting(LineDiff.Line::kind).containsExactly("same", "removed", "added", "same", "same");
        assertThat(d.get(1).text()).contains("0.09");
        assertThat(d.get(2).text()).contains("0.08");
    }

    @Test
    void theChartEscapesTextAndNeverDrawsADayWithUsageAsNone() {
        String svg = UsageChart.svg("<bytes>", List.of(new UsageChart.Day("2026-12-01", new BigDecimal("1000000000"), 5),
                new UsageChart.Day("2026-12-02", new BigDecimal("1"), 1), new UsageChart.Day("2026-12-03", BigDecimal.ZERO, 0)));
        assertThat(svg).doesNotContain("<bytes>").contains("&lt;bytes&gt;");
        assertThat(svg).contains("2026-12-02: 1 (1 event)").contains("2026-12-01: 1000000000 (5 events)");
        assertThat(svg).containsPattern("height=\"1\"><title>2026-12-02");
        assertThat(svg).containsPattern("height=\"0\"><title>2026-12-03");
        assertThat(UsageChart.compact(new BigDecimal("73132356079"))).isEqualTo("73G");
        assertThat(UsageChart.compact(new BigDecimal("1500"))).isEqualTo("1.5k");
    }

    @Test
    void aMonthsChartNamesTheFirstDayEachWeekAndTheLastWithoutTwoLabelsTouching() {
        List<UsageChart.Day> month = new ArrayList<>();
        for (int d = 1; d <= 30; d++) {
            month.add(new UsageChart.Day("2026-11-%02d".formatted(d), BigDecimal.ONE, 1));
        }
        List<String> ticks = new ArrayList<>();
        Matcher m = Pattern.compile("text-anchor=\"middle\">([0-9-]+)</text>").matcher(UsageChart.svg("bytes", month));
        while (m.find()) {
            ticks.add(m.group(1));
        }
        assertThat(ticks).containsExactly("11-01", "11-08", "11-15", "11-22", "11-30"); // not 11-29 beside 11-30
    }
}
