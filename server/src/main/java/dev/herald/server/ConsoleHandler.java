package dev.herald.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The console's page and assets, from inside the jar: no CDN, nothing fetched from elsewhere. A
 * strict Content-Security-Policy lets the page run only its own script, load nothing from another
 * origin and be framed by nobody, so data a subscriber or caller wrote can never run in it.
 */
final class ConsoleHandler extends Handler.Abstract.NonBlocking {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** Path to resource and type; nothing else is served. */
  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/", new Asset("index.html", "text/html; charset=utf-8"),
          "/console/console.js", new Asset("console.js", "text/javascript; charset=utf-8"),
          "/console/console.css", new Asset("console.css", "text/css; charset=utf-8"));

  private record Asset(String resource, String type) {}

  private final Map<String, byte[]> contents;

  ConsoleHandler() {
    this.contents =
        ASSETS.entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    Map.Entry::getKey, e -> read(e.getValue().resource())));
  }

  private static byte[] read(String resource) {
    try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks console/" + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    Asset asset = ASSETS.get(path);
    if (asset == null) {
      Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
      return true;
    }
    if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
      Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
      return true;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.type());
    response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(contents.get(path)), callback);
    return true;
  }
}
