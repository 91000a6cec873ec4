package dev.herald.delivery;

import dev.herald.domain.webhook.DestinationPolicy;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Refuses URLs whose host is, or resolves to, an address inside a private network: loopback,
 * RFC 1918, link-local (cloud metadata), carrier-grade NAT, unique-local, multicast or
 * unspecified. A host that does not resolve now is let through; sending to it fails on its own.
 */
final class PrivateNetworkGuard implements DestinationPolicy {
  private final boolean allowPrivateNetworks;

  PrivateNetworkGuard(boolean allowPrivateNetworks) {
    this.allowPrivateNetworks = allowPrivateNetworks;
  }

  @Override
  public Optional<String> refusal(URI url) {
    if (allowPrivateNetworks || url.getHost() == null) {
      return Optional.empty();
    }
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (isPrivate(address)) {
          return Optional.of("must not point to a private, loopback or link-local address");
        }
      }
      return Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static boolean isPrivate(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = bytes[0] & 0xff;
      int second = bytes[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second < 128);
    }
    if (address instanceof Inet6Address) {
      return (bytes[0] & 0xfe) == 0xfc;
    }
    return false;
  }
}
