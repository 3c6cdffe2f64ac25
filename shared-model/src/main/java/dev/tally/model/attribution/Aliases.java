package dev.tally.model.attribution;

import java.util.ArrayList;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What else identifies a customer's traffic besides its external id: other external ids, IP ranges
 * (CIDR, IPv4 and IPv6), API key ids and endpoint hostnames. {@link #normalized()} gives the
 * canonical form used for storage, equality and conflict checks.
 */
public record Aliases(List<String> externalIds, List<String> cidrs, List<String> apiKeyIds, List<String> hostnames) {
    private static final Pattern HOSTNAME = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    public static final Aliases NONE = new Aliases(List.of(), List.of(), List.of(), List.of());

    public Aliases {
        externalIds = externalIds == null ? List.of() : List.copyOf(externalIds);
        cidrs = cidrs == null ? List.of() : List.copyOf(cidrs);
        apiKeyIds = apiKeyIds == null ? List.of() : List.copyOf(apiKeyIds);
        hostnames = hostnames == null ? List.of() : List.copyOf(hostnames);
    }

    /** A problem with one alias: its field path (e.g. {@code aliases.cidrs[1]}) and what is wrong. */
    public record Problem(String field, String message) {
    }

    /** Canonical CIDRs, lower-case hostnames; throws {@link AliasException} naming the first bad alias. */
    public Aliases normalized() {
        List<String> cidrOut = new ArrayList<>();
        for (int i = 0; i < cidrs.size(); i++) {
            try {
                cidrOut.add(Cidr.parse(cidrs.get(i)).toString());
            } catch (IllegalArgumentException e) {
                throw new AliasException(new Problem("aliases.cidrs[" + i + "]", e.getMessage()));
            }
        }
        List<String> hostOut = new ArrayList<>();
        for (int i = 0; i < hostnames.size(); i++) {
            String h = hostnames.get(i) == null ? "" : hostnames.get(i).toLowerCase(Locale.ROOT);
            if (!HOSTNAME.matcher(h).matches()) {
                throw new AliasException(new Problem("aliases.hostnames[" + i + "]", "'" + hostnames.get(i) + "' is not a hostname"));
            }
            hostOut.add(h);
        }
        for (int i = 0; i < externalIds.size(); i++) {
            String x = externalIds.get(i);
            if (x == null || x.isBlank() || x.length() > 128) {
                throw new AliasException(new Problem("aliases.externalIds[" + i + "]", "external ids are 1–128 characters"));
            }
        }
        return new Aliases(externalIds, cidrOut, apiKeyIds, hostOut);
    }

    /** Thrown by {@link #normalized()}. */
    public static final class AliasException extends IllegalArgumentException {
        private final Problem problem;

        public AliasException(Problem problem) {
            super(problem.field() + ": " + problem.message());
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }
}
