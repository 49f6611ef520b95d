package dev.dropzone.gateway.users;

/** Checks a password against a stored hash: {@link PasswordHashes#matches}, or a test's counter. */
@FunctionalInterface
interface PasswordCheck {
  boolean matches(char[] password, String hash);
}
