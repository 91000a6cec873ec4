package dev.herald.persistence;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a server keeps per project of something the database changes rarely, for one generation of
 * it ({@code generations}, V24): once a statement reads another generation, what was kept goes.
 * Past {@link #MAX_PROJECTS} the least recently used project goes first. Not safe for concurrent
 * use: its owner guards it.
 *
 * @param <V> what is kept for a project
 */
final class KeptPerProject<V> {
  static final int MAX_PROJECTS = 10_000;

  private final Map<String, V> kept =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
          return size() > MAX_PROJECTS;
        }
      };

  /** The generation what is kept holds for; none before the first. */
  private long generation = -1;

  long generation() {
    return generation;
  }

  /** From now on holds for {@code generation}: what was kept for another goes. */
  void holdFor(long generation) {
    if (generation != this.generation) {
      kept.clear();
      this.generation = generation;
    }
  }

  /** What is kept for the project, or null. */
  V get(String project) {
    return kept.get(project);
  }

  void put(String project, V value) {
    kept.put(project, value);
  }

  /** Lets go of everything, until the next {@link #holdFor}. */
  void forget() {
    holdFor(-1);
  }
}
