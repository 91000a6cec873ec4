package dev.herald.server;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How clients reach and authenticate to the gRPC API.
 *
 * @param port the port to serve on; 0 picks a free one
 * @param adminToken when present, the token of a global admin API key Herald (re)creates at start
 * @param tls when present, the server speaks only TLS
 * @param httpPort the operations HTTP port (metrics, probes); 0 picks a free one, -1 serves none
 */
public record ApiConfig(
    int port, Optional<String> adminToken, Optional<TlsConfig> tls, int httpPort) {
  public static final int HTTP_OFF = -1;

  public ApiConfig {
    adminToken = adminToken.filter(token -> !token.isEmpty());
    requireNonNull(tls, "tls");
  }

  @Override
  public String toString() {
    return "ApiConfig[port="
        + port
        + ", adminToken="
        + (adminToken.isPresent() ? "<set>" : "<unset>")
        + ", tls="
        + tls
        + ", httpPort="
        + httpPort
        + "]";
  }
}
