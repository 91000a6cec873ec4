package dev.herald.domain;

/**
 * Something Herald depends on, the database above all, cannot be reached just now. The request did
 * nothing that needs undoing and may be sent again.
 */
public final class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
