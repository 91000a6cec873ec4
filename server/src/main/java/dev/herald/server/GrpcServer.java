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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC server: every service contributed to the set, plus health and reflection, so that
 * grpcurl works without proto files.
 */
final class GrpcServer {
  private static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;
  /**
   * Threads that run calls; more calls wait for one. A call holds its thread while it waits for
   * its transaction, and gRPC's default executor starts a thread for every call waiting: when
   * ingest slowed to seconds a call under 1,000 calls/s, that was 3,000 threads and 250 MB of
   * stacks. Past 64 concurrent ingests, group commit gains nothing more.
   */
  static final int CALL_THREADS = 64;

  private final Server server;
  private final ExecutorService calls;
  private final HealthStatusManager health = new HealthStatusManager();

  GrpcServer(int port, Optional<TlsConfig> tls, Set<BindableService> services) {
    requireNonNull(services, "services");
    AtomicInteger callThread = new AtomicInteger();
    this.calls =
        Executors.newFixedThreadPool(
            CALL_THREADS,
            task -> {
              Thread thread = new Thread(task, "herald-grpc-" + callThread.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(port), credentials(tls))
            .executor(calls)
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
    calls.shutdownNow();
  }
}
