package dev.tally.admin.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;

/** Previous/next links for a page of a server-paged list ({@code total}, {@code offset}, {@code limit} as the API answers). */
@TemplateData
public record Paging(long total, int from, int to, String previous, String next) {
    static Paging of(JsonNode page, String base) {
        long total = page.path("total").asLong();
        int offset = page.path("offset").asInt();
        int limit = Math.max(1, page.path("limit").asInt(1));
        String join = base.contains("?") ? "&" : "?";
        String previous = offset > 0 ? base + join + "offset=" + Math.max(0, offset - limit) : null;
        String next = offset + limit < total ? base + join + "offset=" + (offset + limit) : null;
        int shown = 0;
        for (String list : new String[] {"customers", "invoices"}) {
            shown += page.path(list).size();
        }
        return new Paging(total, shown == 0 ? 0 : offset + 1, offset + shown, previous, next);
    }
}
