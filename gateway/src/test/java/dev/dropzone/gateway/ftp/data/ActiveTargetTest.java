package dev.dropzone.gateway.ftp.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PORT and EPRT take literal addresses only, never names a resolver would look up. */
class ActiveTargetTest {

  @Test
  void literalAddressesAreParsed() {
    assertThat(ActiveTarget.port("127,0,0,1,200,10"))
        .isEqualTo(new InetSocketAddress("127.0.0.1", 200 * 256 + 10));
    assertThat(ActiveTarget.eprt("|1|192.0.2.7|5282|"))
        .isEqualTo(new InetSocketAddress("192.0.2.7", 5282));
    assertThat(ActiveTarget.eprt("!2!2001:db8::1!5282!"))
        .isEqualTo(new InetSocketAddress("2001:db8::1", 5282));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "|1|cafe.be|5282|", // hex letters only: once passed on to a DNS lookup
        "|1|dead.beef.cafe|5282|",
        "|1|localhost|5282|",
        "|1|127.1|5282|", // inet_aton's short forms
        "|1|0x7f.0.0.1|5282|",
        "|1|2130706433|5282|",
        "|1|127.0.0.256|5282|",
        "|2|localhost|5282|",
        "|2|cafe|5282|",
        "|2|cafe.be|5282|",
        "|2|fe80::1%eth0|5282|",
        "|3|127.0.0.1|5282|",
        "|1|127.0.0.1|0|",
        "|1|127.0.0.1|65536|",
        "|1|127.0.0.1|5282",
        "|1|127.0.0.1|5282|x",
        "1|127.0.0.1|5282|",
      })
  void namesAndMalformedEprtArgumentsAreRefused(String argument) {
    assertThatThrownBy(() -> ActiveTarget.eprt(argument))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127,0,0,1,200", "127,0,0,1,200,10,1", "127,0,0,256,1,1", "a,b,c,d,1,1"})
  void malformedPortArgumentsAreRefused(String argument) {
    assertThatThrownBy(() -> ActiveTarget.port(argument))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRefusalSaysWhatIsExpected() {
    assertThatThrownBy(() -> ActiveTarget.eprt("|1|cafe.be|5282|"))
        .hasMessage("EPRT address must be a literal IPv4 address like 192.0.2.7, not a host name");
  }
}
