package dev.herald.server;

import java.util.Optional;

/**
 * @param adminToken when present, the token of a global admin API key Herald (re)creates at start
 */
public record ApiConfig(Optional<String> adminToken) {
  public ApiConfig {
    adminToken = adminToken.filter(token -> !token.isEmpty());
  }

  @Override
  public String toString() {
    return "ApiConfig[adminToken=" + (adminToken.isPresent() ? "<set>" : "<unset>") + "]";
  }
}
