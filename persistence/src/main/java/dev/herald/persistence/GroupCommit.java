package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Writes the requests of concurrent callers together: whoever finds the writer free takes every
 * request waiting (its own among them, up to a batch) and writes them in one go, typically one
 * transaction, while the others wait for their result. Under load a commit then carries many
 * requests; a lone caller writes alone, at once. There are no threads of its own: callers do the
 * work.
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

  S submit(R request) {
    lock.lock();
    Entry<R, S> entry = new Entry<>(request, lock.newCondition());
    try {
      waiting.add(entry);
      while (!entry.done) {
        if (running < maxConcurrentBatches && !waiting.isEmpty()) {
          List<Entry<R, S>> batch = take();
          running++;
          wakeNextLeader();
          lock.unlock();
          try {
            write(batch);
          } finally {
            lock.lock();
            running--;
            for (Entry<R, S> written : batch) {
              written.done = true;
              written.signal.signal();
            }
            wakeNextLeader();
          }
        } else {
          entry.signal.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
    }
    if (entry.failure instanceof Error error) {
      throw error;
    }
    if (entry.failure != null) {
      throw (RuntimeException) entry.failure;
    }
    return entry.result;
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

  /**
   * Wakes the longest-waiting caller if a batch could start now: it leads the next batch. Each
   * caller is woken only for its own result or its turn to lead, never for everyone's batch.
   */
  private void wakeNextLeader() {
    if (running < maxConcurrentBatches && !waiting.isEmpty()) {
      waiting.peek().signal.signal();
    }
  }

  private List<Entry<R, S>> take() {
    List<Entry<R, S>> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
    while (batch.size() < maxBatch && !waiting.isEmpty()) {
      batch.add(waiting.poll());
    }
    return batch;
  }

  /** Fills in every entry's result or failure; throws nothing. */
  private void write(List<Entry<R, S>> batch) {
    try {
      List<S> results = writer.apply(batch.stream().map(e -> e.request).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result = results.get(i);
      }
    } catch (RuntimeException | Error e) {
      if (batch.size() == 1) {
        batch.get(0).failure = e;
      } else {
        batch.forEach(entry -> write(List.of(entry)));
      }
    }
  }

  /** Written by the batch's writer, read by its caller after the lock hands it over. */
  private static final class Entry<R, S> {
    final R request;

    /** Signalled when the entry is written, or when its caller may lead the next batch. */
    final Condition signal;

    boolean done;
    S result;
    Throwable failure;

    Entry(R request, Condition signal) {
      this.request = request;
      this.signal = signal;
    }
  }
}
