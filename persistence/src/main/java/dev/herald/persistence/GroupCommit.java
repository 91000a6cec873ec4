package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Writes the requests of concurrent callers together: a caller that finds a writer free takes every
 * request waiting (its own among them, up to a batch) and writes them in one go, typically one
 * transaction, then goes on with whatever arrived meanwhile until nothing waits. A caller that
 * finds every writer busy leaves its request and gets its result later, from whichever caller
 * writes it: no thread is parked per request. Under load a commit then carries many requests; a
 * lone caller writes alone, at once. There are no threads of its own: callers do the work.
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

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Entry<R, S>> waiting = new ArrayDeque<>();
  private int running;

  /**
   * @param writer writes a batch and returns one result per request, in order
   */
  GroupCommit(Function<List<R>, List<S>> writer, int maxBatch, int maxConcurrentBatches) {
    this.writer = requireNonNull(writer, "writer");
    this.maxBatch = maxBatch;
    this.maxConcurrentBatches = maxConcurrentBatches;
  }

  /**
   * The request's result once it is written. If a writer is free, the calling thread writes, and
   * returns once nothing more waits; the result may then be complete already, or complete later on
   * another caller's thread, where whatever depends on it runs.
   */
  CompletableFuture<S> submitAsync(R request) {
    Entry<R, S> entry = new Entry<>(request);
    List<Entry<R, S>> batch;
    lock.lock();
    try {
      waiting.add(entry);
      if (running >= maxConcurrentBatches) {
        return entry.result;
      }
      running++;
      batch = take();
    } finally {
      lock.unlock();
    }
    while (true) {
      write(batch);
      lock.lock();
      try {
        if (waiting.isEmpty()) {
          running--;
          return entry.result;
        }
        batch = take();
      } finally {
        lock.unlock();
      }
    }
  }

  /** {@link #submitAsync}, waiting for the result; a failure is thrown as it was raised. */
  S submit(R request) {
    try {
      return submitAsync(request).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw (RuntimeException) e.getCause();
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
