package dev.herald.delivery;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a URL's host names: an IP address in any spelling a browser or HTTP client accepts, or a
 * name to look up. IPv4 follows the WHATWG URL standard, as OkHttp and browsers do: when the last
 * label is a number the host is an address, with parts in decimal, octal ({@code 0177}) or hex
 * ({@code 0x7f}), and fewer than four parts filling the rest ({@code 127.1}, {@code 2130706433}).
 * Reading such spellings the way the client will is what stops them hiding a private address.
 */
sealed interface HostLiteral {
  /** A name, to be resolved. */
  record Name() implements HostLiteral {}

  /**
   * An IP address; {@code canonical} when written the one way every parser reads alike (IPv6, or
   * dotted-decimal IPv4).
   */
  record Address(InetAddress address, boolean canonical) implements HostLiteral {}

  /** Numeric, but no address: {@code 256.1.1.1}, five parts, a zone id. */
  record Unparseable() implements HostLiteral {}

  static HostLiteral parse(String rawHost) {
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      return ipv6(host.substring(1, host.length() - 1));
    }
    if (host.indexOf(':') >= 0) {
      return ipv6(host);
    }
    String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String[] parts = trimmed.split("\\.", -1);
    if (!isNumber(parts[parts.length - 1])) {
      return new Name();
    }
    return ipv4(parts, host);
  }

  private static HostLiteral ipv6(String text) {
    // A zone id (fe80::1%eth0) only means something on the local link.
    if (text.indexOf('%') >= 0
        || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return unparseable();
    }
    try {
      return new Address(InetAddress.getByName(text), true);
    } catch (UnknownHostException e) {
      return unparseable();
    }
  }

  private static HostLiteral ipv4(String[] parts, String host) {
    if (parts.length > 4) {
      return unparseable();
    }
    BigInteger[] numbers = new BigInteger[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Optional<BigInteger> number = number(parts[i]);
      if (number.isEmpty()) {
        return unparseable();
      }
      numbers[i] = number.get();
    }
    long value = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (numbers[i].compareTo(BigInteger.valueOf(255)) > 0) {
        return unparseable();
      }
      value |= numbers[i].longValue() << (8 * (3 - i));
    }
    BigInteger last = numbers[parts.length - 1];
    if (last.bitLength() > 8 * (5 - parts.length)) {
      return unparseable();
    }
    value |= last.longValue();
    byte[] bytes = {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
    try {
      InetAddress address = InetAddress.getByAddress(bytes);
      return new Address(address, address.getHostAddress().equals(host));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  private static boolean isNumber(String label) {
    return !label.isEmpty()
        && (label.chars().allMatch(Character::isDigit) || number(label).isPresent());
  }

  private static Optional<BigInteger> number(String part) {
    if (part.isEmpty() || part.length() > 64) {
      return Optional.empty();
    }
    int radix = 10;
    String digits = part;
    if (part.startsWith("0x")) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return Optional.of(BigInteger.ZERO);
      }
    } else if (part.length() > 1 && part.startsWith("0")) {
      radix = 8;
      digits = part.substring(1);
    }
    final int base = radix;
    if (!digits.chars().allMatch(c -> Character.digit(c, base) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(new BigInteger(digits, radix));
  }

  private static HostLiteral unparseable() {
    return new Unparseable();
  }
}
