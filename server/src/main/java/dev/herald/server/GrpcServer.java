package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.api.CallPlacement;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC server: every service contributed to the set, plus health and reflection, so that
 * grpcurl works without proto files.
 */
final class GrpcServer {
  private static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

  /**
   * Threads that run calls, but those placed where they arrive ({@link CallPlacement}); more calls
   * wait for one. A call holds its thread while it waits for the database, and gRPC's default
   * executor starts a thread for every call waiting: when ingest slowed to seconds a call under
   * 1,000 calls/s, that was 3,000 threads and 250 MB of stacks.
   */
  static final int CALL_THREADS = 64;

  /**
   * Calls waiting for a thread at most; past that a new call's stream is reset at once rather than
   * queued without bound, so a flood of calls costs memory only up to here.
   */
  static final int CALLS_WAITING = 4096;

  /** Calls one connection may have open at once: one client cannot take every thread alone. */
  static final int CALLS_PER_CONNECTION = 256;

  /**
   * Connections are closed (gracefully) after this long, so a client holding one open for ever
   * reconnects, and load spreads again over servers added since.
   */
  static final Duration MAX_CONNECTION_AGE = Duration.ofMinutes(30);

  static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(1);

  private final Server server;
  private final ExecutorService calls;
  private final HealthStatusManager health = new HealthStatusManager();

  @SuppressWarnings("deprecation") // ProtoReflectionService is v1alpha, served on purpose
  GrpcServer(
      int port, Optional<TlsConfig> tls, Set<BindableService> services, CallPlacement placement) {
    requireNonNull(services, "services");
    requireNonNull(placement, "placement");
    AtomicInteger callThread = new AtomicInteger();
    this.calls =
        new ThreadPoolExecutor(
            CALL_THREADS,
            CALL_THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(CALLS_WAITING),
            task -> {
              Thread thread = new Thread(task, "herald-grpc-" + callThread.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(port), credentials(tls))
            // A call starts on the transport thread, which asks where it runs from there.
            .directExecutor()
            .callExecutor(
                new ServerCallExecutorSupplier() {
                  @Override
                  public <ReqT, RespT> Executor getExecutor(
                      ServerCall<ReqT, RespT> call, Metadata headers) {
                    return placement.runsOnArrival(call.getMethodDescriptor(), headers)
                        ? null
                        : calls;
                  }
                })
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION)
            .maxConnectionAge(MAX_CONNECTION_AGE.toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(MAX_CONNECTION_AGE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            // Older grpcurl builds, Postman and several reflection clients ask only v1alpha.
            .addService(ProtoReflectionService.newInstance());
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

  /** What {@code grpc.health.v1} answers for the server as a whole. */
  void serving(boolean serving) {
    health.setStatus(
        "",
        serving
            ? io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
            : io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
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
