package dev.herald.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/** Turns a host name into addresses. The system's resolver in production; tests bind their own. */
public interface HostResolver {
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The system's resolver, each lookup given up after {@code timeout}. */
  static HostResolver system(Duration timeout) {
    return new TimedHostResolver(host -> List.of(InetAddress.getAllByName(host)), timeout);
  }

  /** The system's resolver with {@link TimedHostResolver#DEFAULT_TIMEOUT}. */
  static HostResolver system() {
    return system(TimedHostResolver.DEFAULT_TIMEOUT);
  }
}
