package dev.herald.api;

import java.util.Optional;

/** @param adminToken when present, every Herald RPC must carry it as a bearer token */
public record ApiConfig(Optional<String> adminToken) {
  public ApiConfig {
    adminToken = adminToken.filter(token -> !token.isEmpty());
  }

  @Override
  public String toString() {
    return "ApiConfig[adminToken=" + (adminToken.isPresent() ? "<set>" : "<unset>") + "]";
  }
}
