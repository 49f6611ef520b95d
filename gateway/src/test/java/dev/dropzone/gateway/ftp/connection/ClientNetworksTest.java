package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ClientNetworksTest {

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  @Test
  void ipv6AddressesCountAsTheirNetwork() throws Exception {
    ClientNetworks networks = ClientNetworks.DEFAULT;
    assertThat(networks.of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))).isEqualTo(ip("2001:db8:1:2::"));
    assertThat(networks.of(ip("2001:db8:1:2::1")))
        .as("privacy addresses of one host")
        .isEqualTo(networks.of(ip("2001:db8:1:2:f00:ba4:dead:beef")));
    assertThat(networks.of(ip("2001:db8:1:3::1"))).isNotEqualTo(networks.of(ip("2001:db8:1:2::1")));
  }

  @Test
  void prefixesOffAByteBoundaryKeepTheirLeadingBits() throws Exception {
    ClientNetworks sixty = new ClientNetworks(60);
    assertThat(sixty.of(ip("2001:db8:0:12ff::1"))).isEqualTo(ip("2001:db8:0:12f0::"));
    assertThat(new ClientNetworks(33).of(ip("2001:db8:ffff::1"))).isEqualTo(ip("2001:db8:8000::"));
    assertThat(new ClientNetworks(48).of(ip("2001:db8:7:ffff::1"))).isEqualTo(ip("2001:db8:7::"));
  }

  @Test
  void ipv4AndWholeIpv6AddressesCountAlone() throws Exception {
    assertThat(ClientNetworks.DEFAULT.of(ip("192.0.2.77"))).isEqualTo(ip("192.0.2.77"));
    assertThat(ClientNetworks.DEFAULT.of(ip("::ffff:192.0.2.77")))
        .as("an IPv4-mapped peer of a dual-stack socket")
        .isEqualTo(ip("192.0.2.77"));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(ip("192.0.2.78").getAddress(), 0, mapped, 12, 4);
    InetAddress mappedV6 = Inet6Address.getByAddress(null, mapped, -1);
    assertThat(mappedV6).isInstanceOf(Inet6Address.class);
    assertThat(ClientNetworks.DEFAULT.of(mappedV6))
        .as("not ::/64, which every IPv4 client of a dual-stack socket would share")
        .isEqualTo(ip("192.0.2.78"));
    assertThat(new ClientNetworks(128).of(mappedV6)).isEqualTo(ip("192.0.2.78"));
    InetAddress host = ip("2001:db8::1:2:3:4");
    assertThat(new ClientNetworks(128).of(host)).isSameAs(host);
  }

  @Test
  void theScopeOfALinkLocalAddressDoesNotSplitItsNetwork() throws Exception {
    byte[] bytes = ip("fe80::1234:5678").getAddress();
    InetAddress onFirst = Inet6Address.getByAddress(null, bytes, 1);
    InetAddress onSecond = Inet6Address.getByAddress(null, bytes, 2);
    assertThat(ClientNetworks.DEFAULT.of(onFirst))
        .isEqualTo(ClientNetworks.DEFAULT.of(onSecond))
        .isEqualTo(ip("fe80::"));
  }

  @Test
  void refusalsNameWhatWasCounted() throws Exception {
    assertThat(ClientNetworks.DEFAULT.describe(ip("2001:db8::1"))).isEqualTo("your network (/64)");
    assertThat(ClientNetworks.DEFAULT.describe(ip("192.0.2.1"))).isEqualTo("your address");
    assertThat(new ClientNetworks(128).describe(ip("2001:db8::1"))).isEqualTo("your address");
  }

  @Test
  void logLinesNameTheAddressAndTheNetworkABanCovers() throws Exception {
    assertThat(ClientNetworks.DEFAULT.span(ip("2001:db8::7")))
        .isEqualTo("2001:db8:0:0:0:0:0:7 (network 2001:db8:0:0:0:0:0:0/64)");
    assertThat(ClientNetworks.DEFAULT.span(ip("192.0.2.1"))).isEqualTo("192.0.2.1");
    assertThat(new ClientNetworks(128).span(ip("2001:db8::7"))).isEqualTo("2001:db8:0:0:0:0:0:7");
  }

  @Test
  void prefixesThatWouldJoinUnrelatedSitesAreRefused() {
    assertThatThrownBy(() -> new ClientNetworks(31)).hasMessageContaining("32 to 128: 31");
    assertThatThrownBy(() -> new ClientNetworks(129)).hasMessageContaining("32 to 128: 129");
  }
}
