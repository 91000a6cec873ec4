package dev.herald.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A GET route that answers a status and a line of text, as probes want. */
final class PlainTextHandler extends Handler.Abstract.NonBlocking {
  /** What to answer: 200 with a reason, or another status with a reason. */
  record Answer(int status, String text) {}

  private final Supplier<Answer> answer;

  PlainTextHandler(Supplier<Answer> answer) {
    this.answer = answer;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
      Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
      return true;
    }
    Answer now = answer.get();
    response.setStatus(now.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(
        true, ByteBuffer.wrap((now.text() + "\n").getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }
}
