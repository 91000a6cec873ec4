package dev.herald.server;

import static java.util.Objects.requireNonNull;

import dev.herald.persistence.MasterKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Which database to use: the external one at {@code url} when given, otherwise an embedded
 * PostgreSQL keeping its files under {@code dataDir}. {@code masterKey} encrypts the signing
 * secrets stored there; the embedded setup makes one under {@code dataDir} when none is given.
 * Events, deliveries and attempts older than {@code retention} are dropped.
 */
public record DatabaseConfig(
    Optional<String> url,
    Optional<String> user,
    Optional<String> password,
    Path dataDir,
    int poolSize,
    Optional<MasterKey> masterKey,
    Duration retention) {

  public DatabaseConfig {
    requireNonNull(url, "url");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(masterKey, "masterKey");
    requireNonNull(retention, "retention");
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url="
        + url.map(dev.herald.persistence.JdbcUrls::redact)
        + ", user="
        + user
        + ", password="
        + (password.isPresent() ? "<set>" : "<unset>")
        + ", dataDir="
        + dataDir
        + ", masterKey="
        + (masterKey.isPresent() ? "<set>" : "<unset>")
        + ", retention="
        + retention
        + "]";
  }
}
