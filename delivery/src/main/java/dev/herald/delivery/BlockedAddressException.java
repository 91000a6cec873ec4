package dev.herald.delivery;

import java.net.UnknownHostException;

/**
 * A delivery's host is, or resolved to, a non-public address. An {@link UnknownHostException} so
 * that HTTP clients pass it through from their DNS hook unchanged.
 */
final class BlockedAddressException extends UnknownHostException {
  private static final long serialVersionUID = 1L;

  BlockedAddressException(String message) {
    super(message);
  }
}
