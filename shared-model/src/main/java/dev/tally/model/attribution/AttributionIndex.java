package dev.tally.model.attribution;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tenant's attribution table. Resolution order: the event's customer reference (primary or
 * alias external id); else its source IP, longest matching prefix first (a /16 owned by one customer
 * inside another's /8 wins for its addresses); else its hostname; else the API key that sent it.
 * Putting a customer again replaces all its previous aliases. Not thread-safe: callers guard it.
 */
public final class AttributionIndex {
    private final Map<String, String> byExternalId = new HashMap<>();
    private final Map<String, String> byHostname = new HashMap<>();
    private final Map<String, String> byApiKeyId = new HashMap<>();
    /** prefix length (longest first) → masked network hex → customer; separate tables for v4 and v6. */
    private final Map<Integer, Map<Integer, Map<String, String>>> byNetwork = Map.of(4, new TreeMap<>(Comparator.reverseOrder()),
            16, new TreeMap<>(Comparator.reverseOrder()));
    private final Map<String, Entry> entries = new HashMap<>();

    private record Entry(String externalId, Aliases aliases) {
    }

    /** The event's source, as far as the event or request tells it; any part may be null. */
    public record Source(String customerRef, String ip, String hostname, String apiKeyId) {
    }

    public void put(String customerId, String externalId, Aliases aliases) {
        remove(customerId);
        Aliases a = aliases == null ? Aliases.NONE : aliases;
        entries.put(customerId, new Entry(externalId, a));
        byExternalId.put(externalId, customerId);
        a.externalIds().forEach(x -> byExternalId.put(x, customerId));
        a.hostnames().forEach(h -> byHostname.put(h, customerId));
        a.apiKeyIds().forEach(k -> byApiKeyId.put(k, customerId));
        for (String c : a.cidrs()) {
            Cidr cidr = Cidr.parse(c);
            byNetwork.get(cidr.network().length).computeIfAbsent(cidr.prefix(), p -> new HashMap<>()).put(Cidr.key(cidr.network()), customerId);
        }
    }

    public void remove(String customerId) {
        Entry old = entries.remove(customerId);
        if (old == null) {
            return;
        }
        byExternalId.remove(old.externalId(), customerId);
        old.aliases().externalIds().forEach(x -> byExternalId.remove(x, customerId));
        old.aliases().hostnames().forEach(h -> byHostname.remove(h, customerId));
        old.aliases().apiKeyIds().forEach(k -> byApiKeyId.remove(k, customerId));
        for (String c : old.aliases().cidrs()) {
            Cidr cidr = Cidr.parse(c);
            Map<String, String> table = byNetwork.get(cidr.network().length).get(cidr.prefix());
            if (table != null) {
                table.remove(Cidr.key(cidr.network()), customerId);
            }
        }
    }

    /** Which customer, and by what: {@code customer}, {@code ip}, {@code hostname} or {@code api_key}. */
    public record Match(String customerId, String via) {
    }

    /** The customer id, or null when nothing in the source identifies one. */
    public String resolve(Source source) {
        Match m = match(source);
        return m == null ? null : m.customerId();
    }

    public Match match(Source source) {
        if (source.customerRef() != null && !source.customerRef().isBlank()) {
            String id = byExternalId.get(source.customerRef()); // an explicit reference never falls through
            return id == null ? null : new Match(id, "customer");
        }
        if (source.ip() != null) {
            String byIp = byIp(source.ip());
            if (byIp != null) {
                return new Match(byIp, "ip");
            }
        }
        if (source.hostname() != null) {
            String byHost = byHostname.get(source.hostname().toLowerCase(Locale.ROOT));
            if (byHost != null) {
                return new Match(byHost, "hostname");
            }
        }
        String byKey = source.apiKeyId() == null ? null : byApiKeyId.get(source.apiKeyId());
        return byKey == null ? null : new Match(byKey, "api_key");
    }

    private String byIp(String ip) {
        byte[] address;
        try {
            address = Cidr.parseAddress(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (Map.Entry<Integer, Map<String, String>> level : byNetwork.get(address.length).entrySet()) {
            String hit = level.getValue().get(Cidr.key(Cidr.mask(address.clone(), level.getKey())));
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }

    public int size() {
        return entries.size();
    }
}
