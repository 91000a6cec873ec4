package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.webhook.DestinationPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps Herald's requests on the public internet. A webhook URL is refused when its host is, or
 * resolves to, a non-public address ({@link NonPublicAddresses}), in whatever spelling; at delivery
 * the same check runs on the addresses the connection will use ({@link #vet}), so a name that
 * resolves elsewhere later is still never contacted at a private address.
 *
 * <p>A host that does not resolve at creation is let through: sending to it fails on its own, and
 * is checked again then.
 */
final class PrivateNetworkGuard implements DestinationPolicy {
  private final boolean allowPrivateNetworks;
  private final HostResolver resolver;

  PrivateNetworkGuard(boolean allowPrivateNetworks, HostResolver resolver) {
    this.allowPrivateNetworks = allowPrivateNetworks;
    this.resolver = requireNonNull(resolver, "resolver");
  }

  @Override
  public Optional<String> refusal(URI url) {
    Optional<String> authorityHost = host(url);
    if (authorityHost.isEmpty()) {
      return Optional.empty();
    }
    String host = authorityHost.get();
    HostLiteral literal = HostLiteral.parse(host);
    if (literal instanceof HostLiteral.Unparseable) {
      return Optional.of("has a host that is neither a valid name nor a valid IP address");
    }
    if (literal instanceof HostLiteral.Address ip) {
      Optional<String> kind =
          allowPrivateNetworks ? Optional.empty() : NonPublicAddresses.kind(ip.address());
      if (kind.isPresent()) {
        return Optional.of("must not point to a " + kind.get() + " address");
      }
      if (!ip.canonical()) {
        return Optional.of(
            "must write an IPv4 host in dotted-decimal form ("
                + ip.address().getHostAddress()
                + ")");
      }
      return Optional.empty();
    }
    if (allowPrivateNetworks) {
      return Optional.empty();
    }
    if (isLocalhostName(host)) {
      return Optional.of("must not point to a loopback address");
    }
    try {
      vet(host);
      return Optional.empty();
    } catch (BlockedAddressException e) {
      return Optional.of("must not " + e.getMessage());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * The addresses to connect to for {@code host}: resolved once, and refused as a whole when any of
   * them is not public (unless private networks are allowed).
   */
  List<InetAddress> vet(String host) throws UnknownHostException {
    if (!allowPrivateNetworks && isLocalhostName(host)) {
      throw new BlockedAddressException("point to a loopback address");
    }
    List<InetAddress> addresses = resolver.resolve(host);
    if (!allowPrivateNetworks) {
      for (InetAddress address : addresses) {
        check(address);
      }
    }
    return addresses;
  }

  /** Refuses a non-public address, unless private networks are allowed. */
  void check(InetAddress address) throws BlockedAddressException {
    if (allowPrivateNetworks) {
      return;
    }
    Optional<String> kind = NonPublicAddresses.kind(address);
    if (kind.isPresent()) {
      // The kind, never the address: which private address a name resolves to is itself a
      // fact about the network Herald runs in, not the caller's to learn.
      throw new BlockedAddressException("point to a " + kind.get() + " address");
    }
  }

  /**
   * The host as an HTTP client will read it. {@link URI#getHost} is null for spellings such as
   * {@code 127.1} or {@code 0x7f.1}, which it does not take for hosts but clients do, so those are
   * cut out of the authority.
   */
  private static Optional<String> host(URI url) {
    if (url.getHost() != null) {
      return Optional.of(url.getHost());
    }
    String authority = url.getRawAuthority();
    if (authority == null) {
      return Optional.empty();
    }
    String host = authority.substring(authority.lastIndexOf('@') + 1);
    if (!host.startsWith("[") && host.indexOf(':') >= 0) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.isEmpty() ? Optional.empty() : Optional.of(host);
  }

  /** RFC 6761: localhost and its subdomains are loopback whatever a resolver says. */
  private static boolean isLocalhostName(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.equals("localhost") || name.endsWith(".localhost");
  }
}
