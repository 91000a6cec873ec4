package dev.herald.domain;

/** The named resource does not exist (or is not visible to the caller). */
public final class NotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String resource, Object id) {
    super(resource + " " + id + " not found");
  }
}
