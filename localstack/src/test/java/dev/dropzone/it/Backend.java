package dev.dropzone.it;

import dev.dropzone.kek.KeyService;
import dev.dropzone.store.S3Settings;

/**
 * One storage and key-service combination the contract runs against: an S3 endpoint whose bucket
 * exists, and the key service that wraps the users' keys.
 *
 * @param s3 where objects go; the bucket must already exist
 * @param keyService wraps and unwraps user keys
 * @param provider the provider name every object's {@code dz-key-ref} must start with
 * @param resources closed after the gateway has stopped (servers, containers, clients)
 */
record Backend(S3Settings s3, KeyService keyService, String provider, AutoCloseable resources) {}
