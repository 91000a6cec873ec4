package dev.herald.persistence.codegen;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.meta.postgres.PostgresDatabase;

/**
 * A jOOQ {@code Database} that reads its schema from a throwaway embedded PostgreSQL migrated by
 * Flyway, so the generated classes always match the migrations and the build needs no database.
 *
 * <p>Takes one property, {@code migrations}: the folder holding the {@code V<n>__<name>.sql} files.
 */
public final class MigratedPostgresDatabase extends PostgresDatabase {

  private EmbeddedPostgres postgres;
  private Connection connection;

  @Override
  protected DSLContext create0() {
    if (connection == null) {
      connection = startMigratedDatabase();
      setConnection(connection);
    }
    return DSL.using(connection, SQLDialect.POSTGRES);
  }

  private Connection startMigratedDatabase() {
    String migrations = getProperties().getProperty("migrations");
    if (migrations == null || migrations.isBlank()) {
      throw new IllegalStateException("property 'migrations' (the migrations folder) is required");
    }
    try {
      postgres = EmbeddedPostgres.builder().start();
      DataSource dataSource = postgres.getPostgresDatabase();
      Flyway.configure()
          .dataSource(dataSource)
          .locations("filesystem:" + migrations)
          .load()
          .migrate();
      return dataSource.getConnection();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL for code generation", e);
    } catch (SQLException e) {
      throw new IllegalStateException("could not connect to embedded PostgreSQL", e);
    }
  }

  @Override
  public void close() {
    super.close();
    try {
      if (connection != null) {
        connection.close();
      }
      if (postgres != null) {
        postgres.close();
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "could not stop embedded PostgreSQL after code generation", e);
    }
  }
}
