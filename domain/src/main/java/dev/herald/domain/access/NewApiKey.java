package dev.herald.domain.access;

import java.util.List;

/** A CreateApiKey request as the caller sent it, not yet validated. */
public record NewApiKey(String projectId, List<String> roles, String name) {
  public NewApiKey {
    roles = List.copyOf(roles);
  }
}
