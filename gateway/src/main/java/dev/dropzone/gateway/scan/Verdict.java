package dev.dropzone.gateway.scan;

/**
 * A scanner's answer for one file.
 *
 * @param signature the name of the matching signature or rule, or null when nothing matched
 */
record Verdict(String signature) {

  static final Verdict CLEAN = new Verdict(null);

  boolean clean() {
    return signature == null;
  }
}
