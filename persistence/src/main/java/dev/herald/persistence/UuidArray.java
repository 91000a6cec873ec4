package dev.herald.persistence;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.postgresql.core.Oid;
import org.postgresql.util.PGBinaryObject;
import org.postgresql.util.PGobject;

/**
 * A {@code uuid[]} parameter in PostgreSQL's binary format: sixteen bytes an id. As text an id is
 * 36 characters, which the server reads into the array one character at a time and then as sixteen
 * hexadecimal numbers; at 5,000 events a second that was a third of the ingest writer's backend's
 * CPU (docs/performance.md, "Ids in binary"). The driver sends it so on connections that enable
 * binary transfer of {@code uuid[]} ({@link #BINARY_TRANSFER}), and as its text literal otherwise;
 * either way the parameter is typed {@code uuid[]}, empty or not, so a statement's kept plan stays.
 */
final class UuidArray extends PGobject implements PGBinaryObject {
  /** The driver's {@code binaryTransferEnable} property that sends these in binary. */
  static final String BINARY_TRANSFER = Integer.toString(Oid.UUID_ARRAY);

  private static final int HEADER_BYTES = 3 * Integer.BYTES;
  private static final int DIMENSION_BYTES = 2 * Integer.BYTES;
  private static final int ID_BYTES = 16;

  private final List<UUID> ids;

  /** {@code ids} in order; nulls are kept as SQL nulls. */
  UuidArray(List<UUID> ids) {
    this.ids = Collections.unmodifiableList(new ArrayList<>(ids));
    this.type = "uuid[]";
  }

  @Override
  public String getValue() {
    return ArrayLiterals.of(ids);
  }

  @Override
  public int lengthInBytes() {
    if (ids.isEmpty()) {
      return HEADER_BYTES;
    }
    int length = HEADER_BYTES + DIMENSION_BYTES;
    for (UUID id : ids) {
      length += Integer.BYTES + (id == null ? 0 : ID_BYTES);
    }
    return length;
  }

  /**
   * The array's binary form ({@code array_recv}): dimensions, whether any element is null and the
   * elements' type, then each dimension's length and lower bound, then each element's length (-1
   * for null) and bytes.
   */
  @Override
  public void toBytes(byte[] bytes, int offset) {
    ByteBuffer out = ByteBuffer.wrap(bytes, offset, lengthInBytes());
    out.putInt(ids.isEmpty() ? 0 : 1).putInt(ids.contains(null) ? 1 : 0).putInt(Oid.UUID);
    if (ids.isEmpty()) {
      return;
    }
    out.putInt(ids.size()).putInt(1);
    for (UUID id : ids) {
      if (id == null) {
        out.putInt(-1);
      } else {
        out.putInt(ID_BYTES)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits());
      }
    }
  }

  /** Only ever sent: the connections do not map {@code uuid[]} results to this class. */
  @Override
  public void setByteValue(byte[] value, int offset) throws SQLException {
    throw new SQLFeatureNotSupportedException("uuid[] parameters are only sent");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UuidArray that && ids.equals(that.ids);
  }

  @Override
  public int hashCode() {
    return ids.hashCode();
  }
}
