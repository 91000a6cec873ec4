package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes the requests of concurrent callers together: a writer thread takes every request waiting
 * (up to a batch) and writes them in one go, typically one transaction, then goes on with whatever
 * arrived meanwhile until nothing waits. A caller leaves its request and gets its result later: no
 * caller's thread is held, so a caller may be an event loop. Under load a commit then carries many
 * requests; a lone request is written alone, at once. Its writer threads are its own, started when
 * a request finds none running and ended after a minute with nothing to write; at most a bounded
 * number of requests wait, and one more is refused at once.
 *
 * <p>A batch is answered on the writer's thread when nothing else waits, and otherwise on a thread
 * of answers, so that the next batch is written meanwhile: whatever depends on a result runs where
 * it is answered (for an ingest, the call's reply), and at a few thousand requests a second that
 * was a fifth of the writer's time, added to every batch's turn.
 *
 * <p>If a batch of several fails, each of its requests is written again on its own, so one bad
 * request fails only its own caller.
 *
 * @param <R> a request
 * @param <S> its result
 */
final class GroupCommit<R, S> {
  private final Function<List<R>, List<S>> writer;
  private final int maxBatch;
  private final int maxConcurrentBatches;
  private final int maxWaiting;
  private final Supplier<RuntimeException> refusal;
  private final ExecutorService writers;
  private final ExecutorService answerer;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Entry<R, S>> waiting = new ArrayDeque<>();
  private int running;

  /**
   * @param writer writes a batch and returns one result per request, in order
   * @param maxWaiting requests waiting at most; past that one fails at once with {@code refusal}
   * @param threadName the writer threads' name, numbered
   */
  GroupCommit(
      Function<List<R>, List<S>> writer,
      int maxBatch,
      int maxConcurrentBatches,
      int maxWaiting,
      Supplier<RuntimeException> refusal,
      String threadName) {
    this.writer = requireNonNull(writer, "writer");
    this.maxBatch = maxBatch;
    this.maxConcurrentBatches = maxConcurrentBatches;
    this.maxWaiting = maxWaiting;
    this.refusal = requireNonNull(refusal, "refusal");
    this.writers = threadsOfItsOwn(maxConcurrentBatches, threadName + "-%d");
    this.answerer = threadsOfItsOwn(1, threadName + "-answers");
  }

  /** Daemon threads, started as work comes and ended after a minute without any. */
  private static ExecutorService threadsOfItsOwn(int count, String nameFormat) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            count,
            count,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            new ThreadFactoryBuilder().setNameFormat(nameFormat).setDaemon(true).build());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * The request's result once it is written, completed on a writer's thread or the thread of
   * answers, where whatever depends on it runs. Never blocks: a writer is started if none is
   * running.
   */
  CompletableFuture<S> submitAsync(R request) {
    Entry<R, S> entry = new Entry<>(request);
    lock.lock();
    try {
      if (waiting.size() >= maxWaiting) {
        entry.result.completeExceptionally(refusal.get());
        return entry.result;
      }
      waiting.add(entry);
      if (running >= maxConcurrentBatches) {
        return entry.result;
      }
      running++;
    } finally {
      lock.unlock();
    }
    writers.execute(this::writeWhileAnyWait);
    return entry.result;
  }

  private void writeWhileAnyWait() {
    while (true) {
      List<Entry<R, S>> batch;
      lock.lock();
      try {
        if (waiting.isEmpty()) {
          running--;
          return;
        }
        batch = take();
      } finally {
        lock.unlock();
      }
      write(batch);
    }
  }

  /** Requests queued and not yet taken into a batch. */
  int waitingCount() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private List<Entry<R, S>> take() {
    List<Entry<R, S>> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
    while (batch.size() < maxBatch && !waiting.isEmpty()) {
      batch.add(waiting.poll());
    }
    return batch;
  }

  /** Completes every entry's result, or fails it; throws nothing. */
  private void write(List<Entry<R, S>> batch) {
    List<S> results;
    try {
      results = writer.apply(batch.stream().map(e -> e.request).toList());
    } catch (RuntimeException | Error e) {
      if (batch.size() == 1) {
        batch.get(0).result.completeExceptionally(e);
      } else {
        batch.forEach(entry -> write(List.of(entry)));
      }
      return;
    }
    if (waitingCount() == 0) {
      answer(batch, results);
    } else {
      answerer.execute(() -> answer(batch, results));
    }
  }

  private static <R, S> void answer(List<Entry<R, S>> batch, List<S> results) {
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).result.complete(results.get(i));
    }
  }

  private record Entry<R, S>(R request, CompletableFuture<S> result) {
    Entry(R request) {
      this(request, new CompletableFuture<>());
    }
  }
}
