/**
 * The FTP/FTPS front end: Apache MINA FtpServer wired onto the encrypted store.
 *
 * <p>{@link dev.dropzone.gateway.ftp.FtpGateway} assembles it. MINA keeps the protocol plumbing
 * (USER, PBSZ/PROT, TYPE, REST, PWD, CDUP, QUIT); everything that touches the store runs as
 * Dropzone's own commands ({@code command}), which work on validated {@code VirtualPath}s, commit
 * uploads only after a clean transfer, and turn store failures into replies in one place ({@code
 * ReplyMapper}). Sub-packages: {@code connection} (admission, bans, limits, login timeout,
 * command-line length), {@code login} (PASS and the user-manager adapter), {@code fs} (the per-user
 * view MINA requires), {@code policy} (require-tls as an Ftplet), {@code data} (data connections:
 * PASV/EPSV/PORT/EPRT, passive listeners owned by their session), {@code tls} (AUTH TLS and
 * implicit FTPS with a TLS context per control connection, cipher suites, session reuse on data
 * connections).
 */
package dev.dropzone.gateway.ftp;
