package dev.herald.api;

import io.grpc.stub.StreamObserver;

final class Unary {
  private Unary() {}

  static <T> void reply(StreamObserver<T> observer, T message) {
    observer.onNext(message);
    observer.onCompleted();
  }
}
