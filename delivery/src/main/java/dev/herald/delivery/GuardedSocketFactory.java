package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * Sockets that check the address at the moment they connect: the last line against a private
 * address reaching the network, whatever path (DNS, an IP literal, a pooled route) produced it.
 */
final class GuardedSocketFactory extends SocketFactory {
  private final PrivateNetworkGuard guard;

  GuardedSocketFactory(PrivateNetworkGuard guard) {
    this.guard = requireNonNull(guard, "guard");
  }

  @Override
  public Socket createSocket() {
    return new GuardedSocket(guard);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(address, port));
  }

  private Socket connected(InetSocketAddress address) throws IOException {
    Socket socket = createSocket();
    socket.connect(address);
    return socket;
  }

  private static final class GuardedSocket extends Socket {
    private final PrivateNetworkGuard guard;

    GuardedSocket(PrivateNetworkGuard guard) {
      this.guard = guard;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress inet) || inet.getAddress() == null) {
        throw new BlockedAddressException(
            "connect to an address that was not resolved and checked");
      }
      guard.check(inet.getAddress());
      super.connect(endpoint, timeout);
    }
  }
}
