package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the database schema up to date with the migrations shipped in this module, and makes the
 * partitions of today and the days ahead ({@link Retention}) that the first events go to.
 */
public final class SchemaMigrator {
  private final DataSource dataSource;

  public SchemaMigrator(DataSource dataSource) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
  }

  /** Applies pending migrations, returning how many were applied, and makes the days ahead. */
  public int migrate() {
    MigrateResult result =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .failOnMissingLocations(true)
            .load()
            .migrate();
    Retention.prepareDays(dataSource, Instant.now());
    return result.migrationsExecuted;
  }
}
