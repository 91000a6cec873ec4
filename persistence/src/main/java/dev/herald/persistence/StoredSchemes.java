package dev.herald.persistence;

import dev.herald.domain.secret.SignatureScheme;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/** A project's signature schemes as {@code signing_settings} stores them (a text array). */
final class StoredSchemes {
  private StoredSchemes() {}

  /** The schemes in {@code row}'s {@code schemes} column; the default if the project set none. */
  static Set<SignatureScheme> of(ResultSet row) {
    try {
      java.sql.Array stored = row.getArray("schemes");
      return of(stored == null ? null : (String[]) stored.getArray());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Schemes a newer version stored and this one does not know are passed over: requests keep the
   * signatures this version can make.
   */
  static Set<SignatureScheme> of(String[] stored) {
    if (stored == null) {
      return SignatureScheme.DEFAULT;
    }
    Set<SignatureScheme> known = EnumSet.noneOf(SignatureScheme.class);
    for (String name : stored) {
      SignatureScheme scheme = SignatureScheme.byWireName(name);
      if (scheme != null) {
        known.add(scheme);
      }
    }
    return known.isEmpty() ? SignatureScheme.DEFAULT : known;
  }
}
