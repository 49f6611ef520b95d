package dev.dropzone.kek.provider;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.WrappedKey;

/**
 * Refuses wrapped keys that another kind of key service made, before a request is sent: the service
 * could only refuse them too, and the message would not say why.
 */
public final class ForeignKeys {

  private ForeignKeys() {}

  /**
   * @throws KeyServiceException REJECTED if {@code wrapped} was not made by {@code provider}
   */
  public static void requireProvider(WrappedKey wrapped, String provider, String operation)
      throws KeyServiceException {
    if (!provider.equals(wrapped.provider())) {
      throw new KeyServiceException(
          Failure.REJECTED,
          operation
              + ": the key was wrapped by key service '"
              + wrapped.provider()
              + "', not by "
              + provider);
    }
  }
}
