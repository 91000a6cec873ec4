package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.UnavailableException;
import dev.herald.domain.access.ApiKey;
import dev.herald.domain.access.ApiKeyRepository;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.access.ApiTokens;
import dev.herald.domain.access.Role;
import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import dev.herald.proto.v1.GetWebhookRequest;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.Webhook;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptors as ApiModule chains them, over in-process gRPC, with keys in memory; and which
 * ingest calls that memory lets run where they arrive.
 *
 * <p>Past 250 lines as one class because every case goes through the same chain over the same
 * in-process server, whose services and key store are written out at the end.
 */
class AuthInterceptorTest {
  private static final String KNOWN = "hrld_a-token-that-this-repository-knows-000000";

  private final CountingKeys keys = new CountingKeys();
  private final ExecutorService serverThreads = Executors.newFixedThreadPool(16);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    ApiModule.ApiInterceptors interceptors =
        new ApiModule()
            .interceptors(
                new ApiKeyAuthenticator(
                    new ApiKeyService(keys, new SecureRandom(), Clock.systemUTC())),
                new PrometheusRegistry());
    server =
        InProcessServerBuilder.forName(name)
            .executor(serverThreads)
            .addService(interceptors.wrap(new Webhooks()).bindService())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    keys.release.countDown();
    channel.shutdownNow();
    server.shutdownNow();
    serverThreads.shutdownNow();
  }

  @Test
  void aKnownTokenGetsThrough() {
    assertEquals(Webhook.getDefaultInstance(), call(KNOWN));
  }

  @Test
  void tokensThatCannotBeOneAreRefusedWithoutALookup() {
    for (String token :
        List.of("short", "x".repeat(300), "hrld_a token with spaces in it, long enough")) {
      assertEquals(Status.Code.UNAUTHENTICATED, refusal(token).getStatus().getCode(), token);
    }
    assertEquals(0, keys.lookups.get(), "nothing was looked up");
  }

  @Test
  void anUnknownTokenIsLookedUpOnceAndThenRefusedFromMemory() {
    String madeUp = "hrld_made-up-by-someone-who-has-no-key-at-all";
    for (int i = 0; i < 5; i++) {
      assertEquals(Status.Code.UNAUTHENTICATED, refusal(madeUp).getStatus().getCode());
    }
    assertEquals(1, keys.lookups.get());
  }

  @Test
  void aFloodOfMadeUpTokensHoldsAFewLookupsAtMost() throws Exception {
    keys.blocked = true;
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try {
      List<Future<StatusRuntimeException>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String token = "hrld_made-up-token-number-" + i + "-padded-out-to-length";
        calls.add(callers.submit(() -> refusal(token)));
      }
      Eventually.until(
          "every lookup slot taken",
          () -> keys.inFlight.get() >= ApiKeyAuthenticator.CONCURRENT_LOOKUPS);
      keys.release.countDown();
      for (Future<StatusRuntimeException> call : calls) {
        Status.Code code = call.get(20, TimeUnit.SECONDS).getStatus().getCode();
        assertTrue(
            code == Status.Code.UNAUTHENTICATED || code == Status.Code.UNAVAILABLE,
            code.toString());
      }
    } finally {
      callers.shutdownNow();
    }
    assertEquals(ApiKeyAuthenticator.CONCURRENT_LOOKUPS, keys.mostAtOnce.get(), "lookups at once");
  }

  @Test
  void callsArrivingTogetherWithOneTokenShareOneLookup() throws Exception {
    keys.blocked = true;
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try {
      List<Future<Webhook>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(callers.submit(() -> call(KNOWN)));
      }
      Eventually.until("the lookup under way", () -> keys.inFlight.get() == 1);
      Eventually.until(
          "every call in the server",
          () -> ((ThreadPoolExecutor) serverThreads).getActiveCount() == 12);
      keys.release.countDown();
      for (Future<Webhook> call : calls) {
        assertEquals(Webhook.getDefaultInstance(), call.get(20, TimeUnit.SECONDS));
      }
    } finally {
      callers.shutdownNow();
    }
    assertEquals(1, keys.lookups.get(), "lookups");
  }

  /**
   * The database hangs each lookup for longer than a lookup may wait for its turn, then fails, as a
   * stopped database does through the pool: the calls that waited meanwhile hear that it is
   * unavailable, not that too many keys were being checked.
   */
  @Test
  void callsWaitingOnAHangingDatabaseHearThatItIsUnavailable() throws Exception {
    keys.blocked = true;
    keys.hangFor = ApiKeyAuthenticator.LOOKUP_WAIT.plusMillis(500);
    keys.unavailable = true;
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try {
      List<Future<StatusRuntimeException>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(callers.submit(() -> refusal(KNOWN)));
      }
      for (Future<StatusRuntimeException> call : calls) {
        Status refused = call.get(20, TimeUnit.SECONDS).getStatus();
        assertEquals(Status.Code.UNAVAILABLE, refused.getCode());
        assertTrue(
            refused.getDescription().startsWith("the database is unavailable"),
            refused.getDescription());
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aDatabaseOutageWhileAuthenticatingIsUnavailableWithACorrelationId() {
    keys.unavailable = true;
    StatusRuntimeException refused = refusal(KNOWN);
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("correlation id"),
        refused.getStatus().getDescription());
  }

  @Test
  void anIngestRunsWhereItArrivesOnlyWhenItsKeyIsAnsweredFromMemory() {
    ApiKeyAuthenticator authenticator =
        new ApiKeyAuthenticator(new ApiKeyService(keys, new SecureRandom(), Clock.systemUTC()));
    CallPlacement placement = new IngestOnArrival(authenticator);
    var ingest = IngestionServiceGrpc.getIngestStateChangeMethod();
    String unknown = "hrld_a-token-nobody-issued-000000000000000000000";

    assertFalse(placement.runsOnArrival(ingest, bearer(KNOWN)), "a lookup would block");
    assertFalse(placement.runsOnArrival(ingest, bearer(unknown)), "a lookup would block");
    authenticator.authenticate(KNOWN);
    authenticator.authenticate(unknown);
    int lookups = keys.lookups.get();

    assertTrue(placement.runsOnArrival(ingest, bearer(KNOWN)));
    assertTrue(placement.runsOnArrival(ingest, bearer(unknown)), "refused from memory");
    assertTrue(placement.runsOnArrival(ingest, new Metadata()), "refused without a lookup");
    assertFalse(placement.runsOnArrival(WebhookServiceGrpc.getGetWebhookMethod(), bearer(KNOWN)));
    assertEquals(lookups, keys.lookups.get(), "placing a call looks nothing up");
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  private Webhook call(String token) {
    Metadata headers = bearer(token);
    return WebhookServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getWebhook(GetWebhookRequest.newBuilder().setId(UUID.randomUUID().toString()).build());
  }

  private StatusRuntimeException refusal(String token) {
    return assertThrows(StatusRuntimeException.class, () -> call(token));
  }

  private static final class Webhooks extends WebhookServiceGrpc.WebhookServiceImplBase {
    @Override
    public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> response) {
      response.onNext(Webhook.getDefaultInstance());
      response.onCompleted();
    }
  }

  /**
   * Knows one global admin key; counts lookups; can hold them, or fail as an unreachable database.
   */
  private static final class CountingKeys implements ApiKeyRepository {
    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean blocked;
    volatile Duration hangFor = Duration.ofSeconds(20);
    volatile boolean unavailable;

    @Override
    public Optional<ApiKey> findActiveByHash(byte[] tokenHash) {
      lookups.incrementAndGet();
      mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (blocked) {
          release.await(hangFor.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (unavailable) {
          throw new UnavailableException("the database is unavailable", null);
        }
        if (!Arrays.equals(tokenHash, ApiTokens.hash(KNOWN))) {
          return Optional.empty();
        }
        return Optional.of(
            new ApiKey(
                UUID.randomUUID(),
                Optional.empty(),
                "known",
                EnumSet.of(Role.ADMIN),
                "hrld_a-tok",
                Instant.now(),
                Optional.empty()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void insert(ApiKey key, byte[] tokenHash) {}

    @Override
    public void upsert(ApiKey key, byte[] tokenHash) {}

    @Override
    public Optional<ApiKey> find(UUID id) {
      return Optional.empty();
    }

    @Override
    public Page<ApiKey> list(Optional<String> projectId, PageRequest page) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean revoke(UUID id, Instant at) {
      return false;
    }

    @Override
    public boolean hasAny() {
      return true;
    }
  }
}
