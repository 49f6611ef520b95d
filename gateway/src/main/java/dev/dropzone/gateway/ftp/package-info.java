/**
 * The FTP/FTPS front end: Apache MINA FtpServer wired onto the encrypted store.
 *
 * <p>{@link dev.dropzone.gateway.ftp.FtpGateway} assembles it. MINA keeps the protocol plumbing
 * (USER, AUTH/PBSZ/PROT, PASV/EPSV/PORT/EPRT, TYPE, REST, PWD, CDUP, QUIT); everything that touches
 * the store runs as Dropzone's own commands ({@code command}), which work on validated {@code
 * VirtualPath}s, commit uploads only after a clean transfer, and turn store failures into replies
 * in one place ({@code ReplyMapper}). Sub-packages: {@code connection} (admission, bans, limits,
 * login timeout, command-line length), {@code login} (PASS and the user-manager adapter), {@code
 * fs} (the per-user view MINA requires), {@code policy} (require-tls, active-mode rules as
 * Ftplets), {@code tls} (PKCS12 or PEM key material, TLS 1.2/1.3).
 */
package dev.dropzone.gateway.ftp;
