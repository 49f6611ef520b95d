package dev.dropzone.kek.testing;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/** What a protocol test server received: path, headers (names in lower case) and JSON body. */
public record RecordedRequest(String path, Map<String, String> headers, JsonObject body) {

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
