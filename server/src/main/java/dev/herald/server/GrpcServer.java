package dev.herald.server;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: every service contributed to the set, plus health and reflection, so that
 * grpcurl works without proto files.
 */
final class GrpcServer {
  private static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();

  GrpcServer(int port, Optional<TlsConfig> tls, Set<BindableService> services) {
    requireNonNull(services, "services");
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(port), credentials(tls))
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance());
    services.forEach(builder::addService);
    this.server = builder.build();
  }

  private static ServerCredentials credentials(Optional<TlsConfig> tls) {
    if (tls.isEmpty()) {
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder credentials =
          TlsServerCredentials.newBuilder()
              .keyManager(tls.get().certificateChain().toFile(), tls.get().privateKey().toFile());
      if (tls.get().clientCa().isPresent()) {
        credentials
            .trustManager(tls.get().clientCa().get().toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return credentials.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("could not read the TLS certificate or key: " + e.getMessage());
    }
  }

  void start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen for gRPC: " + e.getMessage(), e);
    }
    health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
  }

  int port() {
    return server.getPort();
  }

  /** Refuses new calls and gives running ones a moment to finish. */
  void stop() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }
}
