package dev.herald.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the gRPC server, from PEM files.
 *
 * @param certificateChain the server's certificate, then any intermediates
 * @param privateKey the server's key, PKCS#8
 * @param clientCa when present, clients must present a certificate signed by this CA
 */
public record TlsConfig(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
  public TlsConfig {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(clientCa, "clientCa");
  }
}
