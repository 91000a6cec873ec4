package dev.herald.domain.secret;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A project's signing now: the current key, then older ones still in overlap, and the schemes its
 * requests carry in {@code webhook-signature}.
 */
public record ProjectSecrets(
    SigningSecret current, List<SigningSecret> previous, Set<SignatureScheme> schemes) {
  public ProjectSecrets {
    requireNonNull(current, "current");
    previous = List.copyOf(previous);
    if (schemes.isEmpty()) {
      throw new IllegalArgumentException("a project signs with at least one scheme");
    }
    schemes = Set.copyOf(EnumSet.copyOf(schemes));
  }

  /** Newest first, as requests carry their signatures. */
  public static ProjectSecrets of(List<SigningSecret> newestFirst, Set<SignatureScheme> schemes) {
    if (newestFirst.isEmpty()) {
      throw new IllegalArgumentException("a project with secrets has at least one");
    }
    return new ProjectSecrets(
        newestFirst.get(0), newestFirst.subList(1, newestFirst.size()), schemes);
  }

  /** Every key that signs now, newest first. */
  public List<SigningSecret> all() {
    List<SigningSecret> all = new ArrayList<>(previous.size() + 1);
    all.add(current);
    all.addAll(previous);
    return all;
  }
}
