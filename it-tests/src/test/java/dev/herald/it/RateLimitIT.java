package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.UpdateWebhookRequest;
import dev.herald.proto.v1.Webhook;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook's rate limit, measured at the receiver while two server processes sharing one database
 * deliver its backlog: attempts keep to the limit across both, and another webhook's deliveries
 * meanwhile are not slowed.
 */
class RateLimitIT {
  private static final int LIMIT = 50;
  private static final int BACKLOG = 700;

  @Test
  void twoServersTogetherKeepAWebhookToItsLimit(@TempDir Path workDir) throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
    settings.put("HERALD_HTTP_PORT", "-1");
    int port = JarLaunchIT.freePort();
    settings.put("HERALD_GRPC_PORT", Integer.toString(port));
    try (Receiver receiver = Receiver.http()) {
      Process other = JarLaunchIT.launch(workDir, workDir.resolve("other.log"), settings);
      settings.put("HERALD_GRPC_PORT", "0");
      try (HeraldFixture herald = HeraldFixture.start(settings)) {
        Eventually.await(
            "the other server to listen",
            Duration.ofSeconds(90),
            () -> JarLaunchIT.read(workDir.resolve("other.log")),
            log -> log.contains("listening"));
        Webhook limited =
            herald
                .webhooks()
                .createWebhook(
                    Requests.webhook("proj-limited", receiver.url("/limited")).toBuilder()
                        .setMaxRequestsPerSecond(LIMIT)
                        .build());
        assertEquals(LIMIT, limited.getMaxRequestsPerSecond());
        herald.webhooks().createWebhook(Requests.webhook("proj-unlimited", receiver.url("/free")));

        ManagedChannel toOther = HeraldFixture.channel(port, HeraldFixture.ADMIN_TOKEN);
        try {
          ingest(List.of(herald.channel(), toOther), "proj-limited", BACKLOG);
        } finally {
          toOther.shutdownNow();
        }
        Instant unlimitedSent = Instant.now();
        ingest(List.of(herald.channel()), "proj-unlimited", 100);
        List<Receiver.Request> free = receiver.awaitRequests("/free", 100, HeraldFixture.WAIT);
        Duration unlimitedTook =
            Duration.between(unlimitedSent, free.get(free.size() - 1).receivedAt());
        int limitedBy = receiver.requests("/limited").size();
        assertTrue(
            limitedBy < BACKLOG / 2,
            "the other webhook's 100 came through in "
                + unlimitedTook
                + " while the limited one had had "
                + limitedBy);

        List<Instant> arrivals =
            receiver.awaitRequests("/limited", BACKLOG, Duration.ofSeconds(60)).stream()
                .map(Receiver.Request::receivedAt)
                .sorted()
                .toList();
        int mostInTenSeconds = mostWithin(arrivals, Duration.ofSeconds(10));
        assertTrue(
            mostInTenSeconds <= LIMIT * 10 * 1.1,
            mostInTenSeconds + " attempts in the busiest 10 s, limit " + LIMIT + "/s");
        Duration took = Duration.between(arrivals.get(0), arrivals.get(arrivals.size() - 1));
        double rate = (arrivals.size() - 1) / (took.toNanos() / 1e9);
        System.out.printf(
            "rate limit %d/s over two servers: %d attempts in the busiest 10 s, drained at %.1f/s;"
                + " another webhook's 100 took %s meanwhile%n",
            LIMIT, mostInTenSeconds, rate, unlimitedTook);
        assertTrue(rate >= LIMIT * 0.8, "the backlog drained at " + rate + "/s, limit " + LIMIT);
      } finally {
        other.destroy();
        other.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aLimitOutsideItsRangeIsRefusedNamingTheField() {
    try (HeraldFixture herald = HeraldFixture.start()) {
      Webhook webhook =
          herald.webhooks().createWebhook(Requests.webhook("proj-rate", "http://localhost:1/x"));
      for (int rate : new int[] {-1, 10_001}) {
        StatusRuntimeException refused =
            org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () ->
                    herald
                        .webhooks()
                        .updateWebhook(
                            UpdateWebhookRequest.newBuilder()
                                .setId(webhook.getId())
                                .setMaxRequestsPerSecond(rate)
                                .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getMessage().contains("max_requests_per_second"), refused.getMessage());
      }
      Webhook unlimitedAgain =
          herald
              .webhooks()
              .updateWebhook(
                  UpdateWebhookRequest.newBuilder()
                      .setId(webhook.getId())
                      .setMaxRequestsPerSecond(0)
                      .build());
      assertEquals(0, unlimitedAgain.getMaxRequestsPerSecond());
    }
  }

  /** The most arrivals in any window of {@code width}, arrivals sorted. */
  static int mostWithin(List<Instant> arrivals, Duration width) {
    int most = 0;
    int start = 0;
    for (int end = 0; end < arrivals.size(); end++) {
      while (!arrivals.get(start).plus(width).isAfter(arrivals.get(end))) {
        start++;
      }
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  /** {@code count} state changes of distinct bots, spread over the channels, 8 at a time. */
  private static void ingest(List<ManagedChannel> channels, String project, int count)
      throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ManagedChannel channel = channels.get(i % channels.size());
        String bot = "bot-" + i;
        sent.add(
            senders.submit(
                () ->
                    IngestionServiceGrpc.newBlockingStub(channel)
                        .ingestStateChange(Requests.stateChange(project, bot).build())));
      }
      for (Future<?> future : sent) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdown();
    }
  }
}
