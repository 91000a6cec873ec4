package dev.herald.domain;

/** The request would take a project past one of its quotas; nothing was changed. */
public final class QuotaExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QuotaExceededException(String message) {
    super(message);
  }
}
