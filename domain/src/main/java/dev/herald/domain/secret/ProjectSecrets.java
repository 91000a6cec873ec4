package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A project's keys that sign requests now: the current one, then older ones still in overlap. */
public record ProjectSecrets(SigningSecret current, List<SigningSecret> previous) {
  public ProjectSecrets {
    requireNonNull(current, "current");
    previous = List.copyOf(previous);
  }

  /** Newest first, as requests carry their signatures. */
  public static ProjectSecrets of(List<SigningSecret> newestFirst) {
    if (newestFirst.isEmpty()) {
      throw new IllegalArgumentException("a project with secrets has at least one");
    }
    return new ProjectSecrets(newestFirst.get(0), newestFirst.subList(1, newestFirst.size()));
  }
}
