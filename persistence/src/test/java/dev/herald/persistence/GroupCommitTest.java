package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.testing.Eventually;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  private final ExecutorService callers = Executors.newFixedThreadPool(16);

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  @Test
  void callersWaitingWhileABatchIsWrittenGoTogetherInTheNext() throws Exception {
    CountDownLatch firstBatchStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstBatch = new CountDownLatch(1);
    List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    GroupCommit<Integer, String> commit =
        new GroupCommit<>(
            batch -> {
              batchSizes.add(batch.size());
              if (batchSizes.size() == 1) {
                firstBatchStarted.countDown();
                await(releaseFirstBatch);
              }
              return batch.stream().map(i -> "done " + i).toList();
            },
            100,
            1,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");

    Future<String> first = commit.submitAsync(0);
    await(firstBatchStarted);
    List<Future<String>> others = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      others.add(commit.submitAsync(i));
    }
    // The ten queue up behind the running batch; let it finish once they are all waiting.
    Eventually.until(
        "one batch written and ten waiting", () -> batchSizes.size() == 1 && queued(commit) == 10);
    releaseFirstBatch.countDown();

    assertEquals("done 0", first.get(10, TimeUnit.SECONDS));
    for (int i = 1; i <= 10; i++) {
      assertEquals("done " + i, others.get(i - 1).get(10, TimeUnit.SECONDS));
    }
    assertEquals(List.of(1, 10), batchSizes);
  }

  @Test
  void aFailingRequestFailsOnlyItsOwnCaller() throws Exception {
    CountDownLatch holdFirst = new CountDownLatch(1);
    List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            batch -> {
              batchSizes.add(batch.size());
              if (batchSizes.size() == 1) {
                await(holdFirst);
              }
              if (batch.contains(13)) {
                throw new IllegalStateException("13 is refused");
              }
              return batch.stream().map(i -> i * 2).toList();
            },
            100,
            1,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");
    Future<Integer> first = commit.submitAsync(1);
    Eventually.until("one batch written", () -> batchSizes.size() == 1);
    List<Future<Integer>> others = new ArrayList<>();
    for (int i : new int[] {12, 13, 14}) {
      others.add(commit.submitAsync(i));
    }
    Eventually.until("three waiting", () -> queued(commit) == 3);
    holdFirst.countDown();

    assertEquals(2, first.get(10, TimeUnit.SECONDS));
    assertEquals(24, others.get(0).get(10, TimeUnit.SECONDS));
    var failure =
        assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> others.get(1).get(10, TimeUnit.SECONDS));
    assertTrue(failure.getCause() instanceof IllegalStateException);
    assertEquals(28, others.get(2).get(10, TimeUnit.SECONDS));
    assertEquals(List.of(1, 3, 1, 1, 1), batchSizes, "the batch of three, then each alone");
  }

  @Test
  void underContentionEveryCallerGetsItsOwnResultAndTheLimitsHold() throws Exception {
    AtomicInteger writing = new AtomicInteger();
    AtomicInteger mostWritingAtOnce = new AtomicInteger();
    AtomicInteger largestBatch = new AtomicInteger();
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            batch -> {
              mostWritingAtOnce.accumulateAndGet(writing.incrementAndGet(), Math::max);
              largestBatch.accumulateAndGet(batch.size(), Math::max);
              Thread.onSpinWait();
              writing.decrementAndGet();
              return batch.stream().map(n -> n * 2).toList();
            },
            8,
            2,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");
    List<Future<Boolean>> submitters = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      int first = t * 10_000;
      submitters.add(
          callers.submit(
              () -> {
                for (int n = first; n < first + 2_000; n++) {
                  if (commit.submitAsync(n).join() != n * 2) {
                    return false;
                  }
                }
                return true;
              }));
    }
    for (Future<Boolean> submitter : submitters) {
      assertTrue(submitter.get(60, TimeUnit.SECONDS), "a caller got another's result");
    }
    assertTrue(mostWritingAtOnce.get() <= 2, mostWritingAtOnce + " batches written at once");
    assertTrue(largestBatch.get() <= 8, "a batch of " + largestBatch);
    assertEquals(0, commit.waitingCount());
  }

  @Test
  void batchesAreWrittenOnTheWritersThreadNeverTheCallers() throws Exception {
    List<String> writingThreads = Collections.synchronizedList(new ArrayList<>());
    GroupCommit<Integer, String> commit =
        new GroupCommit<>(
            batch -> {
              writingThreads.add(Thread.currentThread().getName());
              return batch.stream().map(i -> Thread.currentThread().getName()).toList();
            },
            100,
            1,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");

    String answeredOn = commit.submitAsync(1).get(10, TimeUnit.SECONDS);

    assertEquals("test-writer-0", answeredOn);
    assertEquals(List.of("test-writer-0"), writingThreads);
  }

  @Test
  void whileOthersWaitABatchIsAnsweredBesideTheNextOneBeingWritten() throws Exception {
    CountDownLatch firstBatchStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstBatch = new CountDownLatch(1);
    CountDownLatch secondBatchStarted = new CountDownLatch(1);
    AtomicInteger batches = new AtomicInteger();
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            batch -> {
              if (batches.incrementAndGet() == 1) {
                firstBatchStarted.countDown();
                await(releaseFirstBatch);
              } else {
                secondBatchStarted.countDown();
              }
              return batch;
            },
            100,
            1,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");
    CompletableFuture<Integer> first = commit.submitAsync(0);
    // Runs where the first answer is given: it can only see the second batch start if that is
    // not the writer's thread.
    CompletableFuture<Boolean> secondStartedWhileAnswering =
        first.thenApply(result -> awaitQuietly(secondBatchStarted));
    await(firstBatchStarted);
    CompletableFuture<Integer> second = commit.submitAsync(1);
    releaseFirstBatch.countDown();

    assertTrue(secondStartedWhileAnswering.get(10, TimeUnit.SECONDS));
    assertEquals(1, second.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aLoneBatchIsAnsweredOnTheWritersThread() throws Exception {
    CountDownLatch answerAwaited = new CountDownLatch(1);
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            batch -> {
              await(answerAwaited);
              return batch;
            },
            100,
            1,
            1_000,
            () -> new IllegalStateException("full"),
            "test-writer");

    CompletableFuture<String> answeredOn =
        commit.submitAsync(1).thenApply(r -> Thread.currentThread().getName());
    answerAwaited.countDown();

    assertEquals("test-writer-0", answeredOn.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aRequestPastTheWaitingBoundIsRefusedAtOnceAndTheOthersAreWritten() throws Exception {
    CountDownLatch firstBatchStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstBatch = new CountDownLatch(1);
    GroupCommit<Integer, Integer> commit =
        new GroupCommit<>(
            batch -> {
              firstBatchStarted.countDown();
              await(releaseFirstBatch);
              return batch;
            },
            100,
            1,
            3,
            () -> new IllegalStateException("three wait already"),
            "test-writer");
    var writing = commit.submitAsync(0);
    await(firstBatchStarted);
    List<java.util.concurrent.CompletableFuture<Integer>> waiting = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      waiting.add(commit.submitAsync(i));
    }

    var refused = commit.submitAsync(4);

    var failure = assertThrows(java.util.concurrent.ExecutionException.class, refused::get);
    assertEquals("three wait already", failure.getCause().getMessage());
    releaseFirstBatch.countDown();
    assertEquals(0, writing.get(10, TimeUnit.SECONDS));
    for (int i = 1; i <= 3; i++) {
      assertEquals(i, waiting.get(i - 1).get(10, TimeUnit.SECONDS));
    }
  }

  private static int queued(GroupCommit<?, ?> commit) {
    return commit.waitingCount();
  }

  private static boolean awaitQuietly(CountDownLatch latch) {
    try {
      return latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
