package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.testing.Eventually;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WakeSignalTest {
  private final WakeSignal wakes = new WakeSignal(Clock.systemUTC());

  @Test
  void aWakeWhileTheLoopWasBusyIsKeptForItsNextWait() throws Exception {
    wakes.wake();
    CompletableFuture<Void> waited = CompletableFuture.runAsync(this::awaitAnHour);
    waited.get(10, TimeUnit.SECONDS); // returns at once: the wake came first
    assertEquals(Instant.MAX, wakes.wakesAt(), "no wait in progress");
  }

  @Test
  void aWakeEndsAWaitInProgressAndTheWaitSaysWhenItWouldHaveEnded() throws Exception {
    CompletableFuture<Void> waited = CompletableFuture.runAsync(this::awaitAnHour);
    Eventually.until("the wait to begin", () -> !wakes.wakesAt().equals(Instant.MAX));
    assertTrue(
        wakes.wakesAt().isAfter(Instant.now().plus(Duration.ofMinutes(59))), "an hour from now");
    wakes.wake();
    waited.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aWaitShorterThanAMillisecondWaitsRatherThanReturnAtOnce() throws Exception {
    wakes.await(Duration.ofNanos(1)); // the first call's class loading is not the wait measured
    long start = System.nanoTime();
    wakes.await(Duration.ofNanos(900_000));
    long waited = System.nanoTime() - start;
    assertTrue(waited >= 900_000, "waited " + waited + " ns of 900,000");
  }

  @Test
  void closingEndsEveryWaitForGood() throws Exception {
    wakes.close();
    CompletableFuture.runAsync(this::awaitAnHour).get(10, TimeUnit.SECONDS);
    CompletableFuture.runAsync(this::awaitAnHour).get(10, TimeUnit.SECONDS);
  }

  private void awaitAnHour() {
    try {
      wakes.await(Duration.ofHours(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
