package dev.herald.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses are not on the public internet, after IANA's special-purpose registries. IPv6
 * forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address
 * inside them; any other IPv6 address must be global unicast (2000::/3) outside the documentation
 * and protocol-assignment blocks.
 */
final class NonPublicAddresses {
  private static final List<Block> IPV4 =
      List.of(
          Block.of("0.0.0.0/8", "unspecified"),
          Block.of("10.0.0.0/8", "private"),
          Block.of("100.64.0.0/10", "carrier-grade NAT"),
          Block.of("127.0.0.0/8", "loopback"),
          Block.of("169.254.0.0/16", "link-local"),
          Block.of("172.16.0.0/12", "private"),
          Block.of("192.0.0.0/24", "reserved"),
          Block.of("192.0.2.0/24", "documentation"),
          Block.of("192.88.99.0/24", "reserved"),
          Block.of("192.168.0.0/16", "private"),
          Block.of("198.18.0.0/15", "benchmarking"),
          Block.of("198.51.100.0/24", "documentation"),
          Block.of("203.0.113.0/24", "documentation"),
          Block.of("224.0.0.0/4", "multicast"),
          Block.of("240.0.0.0/4", "reserved"));

  private static final List<Block> IPV6 =
      List.of(
          Block.of("::/128", "unspecified"),
          Block.of("::1/128", "loopback"),
          Block.of("64:ff9b:1::/48", "reserved"),
          Block.of("100::/64", "reserved"),
          Block.of("2001::/23", "reserved"),
          Block.of("2001:db8::/32", "documentation"),
          Block.of("3fff::/20", "documentation"),
          Block.of("fc00::/7", "unique-local"),
          Block.of("fe80::/10", "link-local"),
          Block.of("fec0::/10", "site-local"),
          Block.of("ff00::/8", "multicast"));

  private NonPublicAddresses() {}

  /** What kind of non-public address this is, or empty for a public one. */
  static Optional<String> kind(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      return find(IPV4, bytes);
    }
    if (address instanceof Inet6Address) {
      return embeddedIpv4(bytes).map(NonPublicAddresses::kind).orElseGet(() -> ipv6Kind(bytes));
    }
    return Optional.of("unknown");
  }

  private static Optional<String> ipv6Kind(byte[] bytes) {
    Optional<String> special = find(IPV6, bytes);
    if (special.isPresent()) {
      return special;
    }
    return (bytes[0] & 0xe0) == 0x20 ? Optional.empty() : Optional.of("reserved");
  }

  /** The IPv4 address an IPv6 address stands for, in the forms that route to one. */
  private static Optional<InetAddress> embeddedIpv4(byte[] v6) {
    if (startsWith(v6, new byte[12])) { // ::a.b.c.d (compatible; :: and ::1 are caught first)
      return v6[12] == 0 && v6[13] == 0 && v6[14] == 0 && (v6[15] & 0xfe) == 0
          ? Optional.empty()
          : ipv4(v6, 12);
    }
    if (startsWith(v6, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff})) {
      return ipv4(v6, 12); // ::ffff:a.b.c.d (mapped)
    }
    if (startsWith(v6, new byte[] {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
      return ipv4(v6, 12); // 64:ff9b::a.b.c.d (NAT64)
    }
    if (v6[0] == 0x20 && v6[1] == 0x02) {
      return ipv4(v6, 2); // 2002:AABB:CCDD::/48 (6to4)
    }
    return Optional.empty();
  }

  private static Optional<InetAddress> ipv4(byte[] v6, int offset) {
    byte[] v4 = new byte[4];
    System.arraycopy(v6, offset, v4, 0, 4);
    try {
      return Optional.of(InetAddress.getByAddress(v4));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static Optional<String> find(List<Block> blocks, byte[] address) {
    return blocks.stream().filter(b -> b.contains(address)).map(Block::kind).findFirst();
  }

  @SuppressWarnings("ArrayRecordComponent") // private, made once from constants, never compared
  private record Block(byte[] network, int prefixLength, String kind) {
    static Block of(String cidr, String kind) {
      int slash = cidr.indexOf('/');
      try {
        // Literals only: getByName does no lookup for them.
        byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
        return new Block(network, Integer.parseInt(cidr.substring(slash + 1)), kind);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(cidr, e);
      }
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixLength / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixLength % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }
}
