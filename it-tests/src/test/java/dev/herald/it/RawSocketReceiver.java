package dev.herald.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiver that answers every request with the same raw bytes, well formed or not, as a hostile
 * endpoint would: status lines with NULs, line breaks or escape sequences, bodies that are not
 * UTF-8. It reads the request's headers and body first, then writes its bytes and hangs up.
 */
final class RawSocketReceiver implements AutoCloseable {
  private final ServerSocket socket;
  private final ExecutorService connections = Executors.newCachedThreadPool();
  private final byte[] answer;
  private final AtomicInteger requests = new AtomicInteger();

  RawSocketReceiver(byte[] answer) throws IOException {
    this.answer = answer.clone();
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "raw-receiver-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
  }

  int requests() {
    return requests.get();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        connections.execute(() -> answer(connection));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void answer(Socket connection) {
    try (connection) {
      InputStream in = connection.getInputStream();
      int contentLength = contentLength(readHeaders(in));
      in.readNBytes(contentLength);
      requests.incrementAndGet();
      OutputStream out = connection.getOutputStream();
      out.write(answer);
      out.flush();
    } catch (IOException clientGone) {
      // the sender gave up reading; nothing to answer
    }
  }

  private static String readHeaders(InputStream in) throws IOException {
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended within its headers");
      }
      headers.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return headers.toString(StandardCharsets.ISO_8859_1);
  }

  private static int contentLength(String headers) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    connections.shutdownNow();
  }
}
