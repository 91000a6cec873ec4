package dev.herald.persistence;

import java.util.Arrays;

/** The AES-256 key that signing secrets are encrypted under. {@link #toString} never shows it. */
public final class MasterKey {
  public static final int BYTES = 32;

  private final byte[] bytes;

  public MasterKey(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "a master key is " + BYTES + " bytes, not " + bytes.length);
    }
    this.bytes = bytes.clone();
  }

  byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MasterKey other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "MasterKey[<redacted>]";
  }
}
