package dev.dropzone.gateway.auth;

/** What a user may do in their tree. Reading file contents and listing are separate rights. */
public enum Permission {
  LIST,
  READ,
  WRITE,
  DELETE,
  MKDIR,
  RENAME
}
