package dev.herald.persistence;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Binds the columns of a batch, in parameter order, as PostgreSQL arrays for a statement that
 * {@code unnest}s them: one statement of fixed text whatever the batch size, so it is neither
 * rendered nor planned anew.
 *
 * @param <T> a row of the batch
 */
final class SqlArrays<T> {
  private final PreparedStatement statement;
  private final List<T> rows;
  private int parameter;

  SqlArrays(PreparedStatement statement, List<T> rows) {
    this(statement, rows, 1);
  }

  /** Binds from parameter {@code first} on, after those bound otherwise. */
  SqlArrays(PreparedStatement statement, List<T> rows, int first) {
    this.statement = statement;
    this.rows = rows;
    this.parameter = first;
  }

  /** The parameter after the last one bound. */
  int nextParameter() {
    return parameter;
  }

  /**
   * Binds the next parameter to {@code column} of every row, as an array literal ({@link
   * ArrayLiterals}) that the statement casts to its type. Ids go by {@link #addIds} instead: as
   * text they cost PostgreSQL a third of the ingest session's CPU.
   */
  SqlArrays<T> add(Function<T, ?> column) throws SQLException {
    statement.setString(parameter++, ArrayLiterals.of(rows.stream().map(column).toList()));
    return this;
  }

  /** Binds the next parameter to the id {@code column} of every row, as a {@link UuidArray}. */
  SqlArrays<T> addIds(Function<T, UUID> column) throws SQLException {
    statement.setObject(parameter++, new UuidArray(rows.stream().map(column).toList()));
    return this;
  }

  /**
   * Binds the next parameter to bytes of every row, as a {@code bytea} array: the driver takes
   * those as {@code byte[][]}, not as objects.
   */
  SqlArrays<T> addBytes(Function<T, byte[]> column) throws SQLException {
    byte[][] values = rows.stream().map(column).toArray(byte[][]::new);
    statement.setArray(parameter++, statement.getConnection().createArrayOf("bytea", values));
    return this;
  }
}
