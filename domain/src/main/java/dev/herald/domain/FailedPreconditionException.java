package dev.herald.domain;

/** The request is well formed but the resource is not in a state that allows it. */
public final class FailedPreconditionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FailedPreconditionException(String message) {
    super(message);
  }
}
