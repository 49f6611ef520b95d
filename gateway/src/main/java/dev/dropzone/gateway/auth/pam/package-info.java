/**
 * Linux system users through PAM.
 *
 * <p>Install the service file shipped beside {@link dev.dropzone.gateway.auth.pam.PamAuthenticator}
 * (resource {@code dev/dropzone/gateway/auth/pam/dropzone}) as {@code /etc/pam.d/dropzone}, or
 * under the name set as {@link dev.dropzone.gateway.auth.pam.PamSettings#service()}:
 *
 * <pre>
 * auth     required  pam_unix.so
 * auth     required  pam_succeed_if.so uid &gt;= 1000 quiet
 * auth     required  pam_shells.so
 * account  required  pam_unix.so
 * </pre>
 *
 * <p>Without it PAM silently uses its {@code other} service, whose stack admits root, no-login
 * accounts and (through {@code nullok}) any password for an account without one; the backend
 * therefore refuses to start when the file is missing. pam_unix must be able to read {@code
 * /etc/shadow}: run the gateway as root or in the {@code shadow} group.
 */
package dev.dropzone.gateway.auth.pam;
