package dev.herald.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting on a result that completes elsewhere, its failure thrown as it was raised. */
public final class Completions {
  private Completions() {}

  public static <T> T await(CompletableFuture<T> result) {
    try {
      return result.join();
    } catch (CompletionException e) {
      throw rethrowable(e);
    }
  }

  /** The failure a completion stage reports, unwrapped from the stage's own wrapper. */
  public static RuntimeException rethrowable(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof Error error) {
      throw error;
    }
    return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
  }
}
