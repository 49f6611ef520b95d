package dev.dropzone.gateway.ftp.connection;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What the per-address limits count as one client: an IPv4 address alone, an IPv6 address by the
 * network of {@code ipv6PrefixLength} bits it lies in. One IPv6 host usually holds a whole /64
 * (privacy addresses, a prefix delegated to its router), so counting single IPv6 addresses would
 * let it rotate through more addresses than any ban table holds; 128 counts each address alone.
 *
 * @param ipv6PrefixLength 32 to 128
 */
public record ClientNetworks(int ipv6PrefixLength) {

  /** IPv6 clients counted per /64, the smallest network a site is normally given. */
  public static final ClientNetworks DEFAULT = new ClientNetworks(64);

  /** The shortest prefix accepted: beyond it, unrelated sites would share one ban. */
  public static final int MIN_PREFIX_LENGTH = 32;

  public ClientNetworks {
    if (ipv6PrefixLength < MIN_PREFIX_LENGTH || ipv6PrefixLength > 128) {
      throw new IllegalArgumentException(
          "IPv6 prefix length must be " + MIN_PREFIX_LENGTH + " to 128: " + ipv6PrefixLength);
    }
  }

  /** The address the limits count {@code address} under: itself, or its IPv6 network's. */
  public InetAddress of(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] bytes = address.getAddress();
    if (ipv4Mapped(bytes)) {
      // An IPv4 client of a dual-stack socket: grouping ::ffff:0:0/96 by its /64 would put every
      // IPv4 client under one ban.
      return ipv4(bytes);
    }
    if (ipv6PrefixLength == 128) {
      return address;
    }
    int whole = ipv6PrefixLength / 8;
    int bits = ipv6PrefixLength % 8;
    if (bits != 0) {
      bytes[whole] &= (byte) (0xff << (8 - bits));
      whole++;
    }
    for (int i = whole; i < bytes.length; i++) {
      bytes[i] = 0;
    }
    try {
      // Without the scope: the same network seen on two interfaces is still one client's.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are always an IPv6 address", e);
    }
  }

  private static boolean ipv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static InetAddress ipv4(byte[] mapped) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(mapped, 12, 16));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }

  /**
   * How a log line names what a ban of {@code client} covers: its address, and for an IPv6 client
   * its network, e.g. {@code 2001:db8:0:0:0:0:0:7 (network 2001:db8:0:0:0:0:0:0/64)}.
   */
  public String span(InetAddress client) {
    InetAddress counted = of(client);
    return counted.equals(client)
        ? client.getHostAddress()
        : client.getHostAddress()
            + " (network "
            + counted.getHostAddress()
            + "/"
            + ipv6PrefixLength
            + ")";
  }

  /**
   * What {@code client} is counted under, as text: its address, or for an IPv6 client its network,
   * e.g. {@code 2001:db8:0:0:0:0:0:0/64}.
   */
  public String name(InetAddress client) {
    InetAddress counted = of(client);
    return counted.equals(client)
        ? client.getHostAddress()
        : counted.getHostAddress() + "/" + ipv6PrefixLength;
  }

  /** How a refusal names what was counted: "your address", or "your network (/64)". */
  public String describe(InetAddress address) {
    return of(address) instanceof Inet6Address && ipv6PrefixLength < 128
        ? "your network (/" + ipv6PrefixLength + ")"
        : "your address";
  }
}
