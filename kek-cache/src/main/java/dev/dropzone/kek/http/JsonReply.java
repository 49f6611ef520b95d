package dev.dropzone.kek.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A key service's answer that was not a server error: its status and its body, or a missing node
 * when the body was not JSON.
 */
public record JsonReply(int status, JsonNode body) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }

  /** The text field {@code name} of the body's top-level object, or null. */
  public String text(String name) {
    JsonNode node = body.path(name);
    return node.isTextual() ? node.asText() : null;
  }
}
