package dev.tally.model.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {
    @Test
    void ipv4AddressesParseExactlyAndAnythingElseIsRefused() {
        assertThat(Cidr.parseAddress("10.200.3.255")).containsExactly((byte) 10, (byte) 200, (byte) 3, (byte) 255);
        assertThat(Cidr.parseAddress("0.0.0.0")).containsExactly(0, 0, 0, 0);
        for (String bad : List.of("", "1.2.3", "1.2.3.4.5", "1..2.3", "256.0.0.1", "1.2.3.4 ", "1.2.3.-4", "1.2.3.1000", ".1.2.3", "1.2.3.")) {
            assertThatThrownBy(() -> Cidr.parseAddress(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void cidrsParseIpv4AndIpv6AndClearHostBits() {
        assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(Cidr.parse("192.168.1.7").toString()).isEqualTo("192.168.1.7/32");
        assertThat(Cidr.parse("2001:DB8::1/32").toString()).isEqualTo("2001:db8:0:0:0:0:0:0/32");
        assertThat(Cidr.parse("::ffff:10.0.0.1/128").toString()).isEqualTo("0:0:0:0:0:ffff:a00:1/128");
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parseAddress("10.200.1.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parseAddress("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.parseAddress("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.1.0.0/16"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("11.0.0.0/8"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parseAddress("8.8.8.8"))).isTrue();
    }

    @Test
    void badCidrsAreRefusedWithoutAnyLookup() {
        for (String bad : List.of("10.0.0.256/8", "10.0.0/8", "10.0.0.0/33", "2001:db8::1::2/64", "example.com/24", "::1/129", "1.2.3.4/-1")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void resolutionPrefersTheReferenceThenTheLongestPrefixThenHostnameThenKey() {
        AttributionIndex index = new AttributionIndex();
        index.put("cus_big", "bigcorp", new Aliases(List.of("bigcorp-legacy"), List.of("10.0.0.0/8", "2001:db8::/32"), List.of("key1"),
                List.of("api.bigcorp.example")));
        index.put("cus_sub", "subsidiary", new Aliases(List.of(), List.of("10.1.0.0/16"), List.of(), List.of()));
        assertThat(index.resolve(new AttributionIndex.Source("bigcorp-legacy", null, null, null))).isEqualTo("cus_big");
        assertThat(index.resolve(new AttributionIndex.Source(null, "10.1.2.3", null, null))).isEqualTo("cus_sub");
        assertThat(index.resolve(new AttributionIndex.Source(null, "10.2.2.3", null, null))).isEqualTo("cus_big");
        assertThat(index.resolve(new AttributionIndex.Source(null, "2001:db8::42", null, null))).isEqualTo("cus_big");
        assertThat(index.resolve(new AttributionIndex.Source(null, "192.0.2.1", "API.BIGCORP.EXAMPLE", null))).isEqualTo("cus_big");
        assertThat(index.resolve(new AttributionIndex.Source(null, null, null, "key1"))).isEqualTo("cus_big");
        // an explicit but unknown reference is not guessed from the traffic
        assertThat(index.resolve(new AttributionIndex.Source("nobody", "10.1.2.3", null, null))).isNull();
        assertThat(index.resolve(new AttributionIndex.Source(null, "not-an-ip", null, null))).isNull();
    }

    @Test
    void puttingACustomerAgainReplacesItsAliases() {
        AttributionIndex index = new AttributionIndex();
        index.put("c1", "acme", new Aliases(List.of(), List.of("10.0.0.0/8"), List.of(), List.of()));
        index.put("c1", "acme", new Aliases(List.of(), List.of("172.16.0.0/12"), List.of(), List.of()));
        assertThat(index.resolve(new AttributionIndex.Source(null, "10.0.0.1", null, null))).isNull();
        assertThat(index.resolve(new AttributionIndex.Source(null, "172.16.5.5", null, null))).isEqualTo("c1");
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void normalizationNamesTheBadAlias() {
        Aliases a = new Aliases(null, List.of("10.0.0.0/8", "10.0.0.0/99"), null, List.of("Edge.Example.com"));
        assertThatThrownBy(a::normalized).isInstanceOf(Aliases.AliasException.class)
                .satisfies(e -> assertThat(((Aliases.AliasException) e).problem().field()).isEqualTo("aliases.cidrs[1]"));
        Aliases ok = new Aliases(null, List.of("10.9.9.9/8"), null, List.of("Edge.Example.com")).normalized();
        assertThat(ok.cidrs()).containsExactly("10.0.0.0/8");
        assertThat(ok.hostnames()).containsExactly("edge.example.com");
        assertThatThrownBy(() -> new Aliases(null, null, null, List.of("bad host!")).normalized())
                .satisfies(e -> assertThat(((Aliases.AliasException) e).problem().field()).isEqualTo("aliases.hostnames[0]"));
    }
}
