package dev.dropzone.gateway.ftp.data;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Where PORT and EPRT ask the server to connect: only literal addresses, parsed without any name
 * lookup (a host name made of hex letters, like {@code cafe.be}, would otherwise go to DNS).
 */
final class ActiveTarget {

  private static final Pattern OCTET = Pattern.compile("[0-9]{1,3}");
  private static final Pattern DECIMAL_PORT = Pattern.compile("[0-9]{1,5}");
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private ActiveTarget() {}

  /** {@code h1,h2,h3,h4,p1,p2} (RFC 959). */
  static InetSocketAddress port(String argument) throws IllegalArgumentException {
    String[] parts = argument == null ? new String[0] : argument.trim().split(",", -1);
    if (parts.length != 6) {
      throw new IllegalArgumentException("PORT needs h1,h2,h3,h4,p1,p2");
    }
    byte[] address = new byte[4];
    for (int i = 0; i < 4; i++) {
      address[i] = (byte) octet(parts[i]);
    }
    int port = octet(parts[4]) * 256 + octet(parts[5]);
    return new InetSocketAddress(literal(address), port);
  }

  /** {@code <d>1<d>192.0.2.7<d>5282<d>} or {@code <d>2<d>2001:db8::1<d>5282<d>} (RFC 2428). */
  static InetSocketAddress eprt(String argument) throws IllegalArgumentException {
    if (argument == null || argument.length() < 7) {
      throw new IllegalArgumentException("EPRT needs |1|address|port| or |2|address|port|");
    }
    char delimiter = argument.charAt(0);
    if (delimiter < 33 || delimiter > 126) {
      throw new IllegalArgumentException("EPRT delimiter must be a printable character");
    }
    String[] parts = argument.split(Pattern.quote(String.valueOf(delimiter)), -1);
    if (parts.length != 5 || !parts[0].isEmpty() || !parts[4].isEmpty()) {
      throw new IllegalArgumentException("EPRT needs |1|address|port| or |2|address|port|");
    }
    InetAddress address =
        switch (parts[1]) {
          case "1" -> ipv4(parts[2]);
          case "2" -> ipv6(parts[2]);
          default ->
              throw new IllegalArgumentException(
                  "EPRT network protocol must be 1 (IPv4) or 2 (IPv6)");
        };
    if (!DECIMAL_PORT.matcher(parts[3]).matches()) {
      throw new IllegalArgumentException("EPRT port must be a number");
    }
    int port = Integer.parseInt(parts[3]);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("EPRT port must be between 1 and 65535");
    }
    return new InetSocketAddress(address, port);
  }

  private static InetAddress ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          "EPRT address must be a literal IPv4 address like 192.0.2.7, not a host name");
    }
    byte[] address = new byte[4];
    for (int i = 0; i < 4; i++) {
      address[i] = (byte) octet(parts[i]);
    }
    return literal(address);
  }

  private static InetAddress ipv6(String text) {
    if (!IPV6_LITERAL.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "EPRT address must be a literal IPv6 address like 2001:db8::1, not a host name");
    }
    try {
      // With a ':' in it, the JDK parses the text as an IPv6 literal and never looks it up.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("EPRT address is not a valid IPv6 address");
    }
  }

  private static int octet(String text) {
    String t = text.trim();
    if (!OCTET.matcher(t).matches() || Integer.parseInt(t) > 255) {
      throw new IllegalArgumentException("'" + t + "' is not a number from 0 to 255");
    }
    return Integer.parseInt(t);
  }

  private static InetAddress literal(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
