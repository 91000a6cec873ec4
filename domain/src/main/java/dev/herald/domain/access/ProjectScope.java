package dev.herald.domain.access;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.NotFoundException;
import java.util.Optional;

/**
 * The projects a caller may see: all of them, or one. Anything outside the scope is reported as not
 * found, exactly as if it did not exist, so a key cannot probe for other projects' data.
 */
public final class ProjectScope {
  private static final ProjectScope ALL = new ProjectScope(Optional.empty());

  private final Optional<String> project;

  private ProjectScope(Optional<String> project) {
    this.project = project;
  }

  public static ProjectScope all() {
    return ALL;
  }

  public static ProjectScope only(String projectId) {
    return new ProjectScope(Optional.of(requireNonNull(projectId, "projectId")));
  }

  /** The one project, or empty for a global scope. */
  public Optional<String> project() {
    return project;
  }

  public boolean isGlobal() {
    return project.isEmpty();
  }

  public boolean includes(String projectId) {
    return project.map(p -> p.equals(projectId)).orElse(true);
  }

  /** Refuses a request naming a project outside the scope. */
  public void requireProject(String projectId) {
    if (!includes(projectId)) {
      throw new NotFoundException("project", projectId);
    }
  }

  /** Refuses a resource, found by its id, that belongs to a project outside the scope. */
  public void requireVisible(String projectId, String resource, Object id) {
    if (!includes(projectId)) {
      throw new NotFoundException(resource, id);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ProjectScope scope && scope.project.equals(project);
  }

  @Override
  public int hashCode() {
    return project.hashCode();
  }

  @Override
  public String toString() {
    return project.map(p -> "project " + p).orElse("all projects");
  }
}
