package dev.dropzone.gateway.scan;

import java.io.IOException;

/** What clamd's replies to {@code INSTREAM} mean. */
final class ClamdReplies {

  private static final String PREFIX = "stream: ";
  private static final String FOUND = " FOUND";

  private ClamdReplies() {}

  /**
   * The verdict in a reply such as {@code "stream: OK"} or {@code "stream: Eicar-Signature FOUND"}.
   *
   * @throws IOException for an error reply (e.g. {@code "INSTREAM size limit exceeded. ERROR"}) or
   *     anything else that is not a verdict
   */
  static Verdict verdict(String reply) throws IOException {
    if (reply.equals(PREFIX + "OK")) {
      return Verdict.CLEAN;
    }
    if (reply.startsWith(PREFIX) && reply.endsWith(FOUND)) {
      String signature = reply.substring(PREFIX.length(), reply.length() - FOUND.length()).strip();
      if (!signature.isEmpty()) {
        return new Verdict(signature);
      }
    }
    if (reply.contains("size limit exceeded")) {
      throw new IOException(
          "'"
              + reply
              + "': clamd's StreamMaxLength is smaller than scan.maxSize; raise StreamMaxLength"
              + " in clamd.conf or lower scan.maxSize");
    }
    throw new IOException("'" + reply + "'");
  }
}
