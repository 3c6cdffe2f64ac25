package dev.tally.model.attribution;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An IPv4 or IPv6 network in CIDR notation, parsed without name resolution. Host bits are cleared
 * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}); {@link #toString()} is the canonical form used for
 * equality and storage.
 */
public record Cidr(byte[] network, int prefix) {
    public Cidr {
        network = mask(network.clone(), prefix);
    }

    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a CIDR is required");
        }
        int slash = text.indexOf('/');
        byte[] address = parseAddress(slash < 0 ? text : text.substring(0, slash));
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0–" + bits);
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(address, prefix);
    }

    /** A single address (IPv4 dotted quad or IPv6), as 4 or 16 bytes. */
    public static byte[] parseAddress(String text) {
        if (text.contains(":")) {
            return parseV6(text);
        }
        // by hand, not split/regex: ingest parses the source IP of every event
        byte[] out = new byte[4];
        int part = 0;
        int digits = 0;
        int value = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && value <= 255 && part < 4) {
                out[part++] = (byte) value;
                digits = 0;
                value = 0;
            } else {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
            }
        }
        if (part != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        return out;
    }

    private static byte[] parseV6(String text) {
        String s = text;
        byte[] v4tail = null;
        int lastColon = s.lastIndexOf(':');
        if (s.substring(lastColon + 1).contains(".")) { // ::ffff:1.2.3.4
            v4tail = parseAddress(s.substring(lastColon + 1));
            s = s.substring(0, lastColon + 1) + "0:0";
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon != s.lastIndexOf("::") && doubleColon >= 0) {
            throw new IllegalArgumentException("'" + text + "' has more than one '::'");
        }
        String[] head = doubleColon < 0 ? s.split(":", -1) : split(s.substring(0, doubleColon));
        String[] tail = doubleColon < 0 ? new String[0] : split(s.substring(doubleColon + 2));
        int groups = head.length + tail.length;
        if ((doubleColon < 0 && groups != 8) || (doubleColon >= 0 && groups > 7)) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
        byte[] out = new byte[16];
        fill(out, head, 0, text);
        fill(out, tail, 8 - tail.length, text);
        if (v4tail != null) {
            System.arraycopy(v4tail, 0, out, 12, 4);
        }
        return out;
    }

    private static String[] split(String s) {
        return s.isEmpty() ? new String[0] : s.split(":", -1);
    }

    private static void fill(byte[] out, String[] groups, int start, String text) {
        for (int i = 0; i < groups.length; i++) {
            if (!groups[i].matches("[0-9a-fA-F]{1,4}")) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
            int v = Integer.parseInt(groups[i], 16);
            out[2 * (start + i)] = (byte) (v >> 8);
            out[2 * (start + i) + 1] = (byte) v;
        }
    }

    static byte[] mask(byte[] address, int prefix) {
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("prefix " + prefix + " out of range");
        }
        for (int bit = prefix; bit < address.length * 8; bit++) {
            address[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        return address;
    }

    public boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(mask(address.clone(), prefix), network);
    }

    /** Whether one network contains the other (CIDR blocks either nest or are disjoint). */
    public boolean overlaps(Cidr other) {
        return network.length == other.network.length
                && (prefix <= other.prefix ? contains(other.network) : other.contains(network));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        if (network.length == 4) {
            return (network[0] & 0xff) + "." + (network[1] & 0xff) + "." + (network[2] & 0xff) + "." + (network[3] & 0xff) + "/" + prefix;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((network[i] & 0xff) << 8) | (network[i + 1] & 0xff)));
        }
        return sb + "/" + prefix;
    }

    /** Bytes as hex, for map keys. */
    static String key(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
