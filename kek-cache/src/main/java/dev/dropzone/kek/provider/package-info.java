/**
 * What every key service provider checks and says the same way: the size of data keys on both sides
 * of the service, whether a wrapped key is the provider's own, and running a blocking client on a
 * bounded pool of its own.
 */
package dev.dropzone.kek.provider;
