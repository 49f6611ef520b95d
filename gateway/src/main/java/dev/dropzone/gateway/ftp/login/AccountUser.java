package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import java.util.List;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.AuthorizationRequest;
import org.apache.ftpserver.ftplet.User;

/**
 * A MINA user carrying Dropzone's {@link Account}. MINA's authority model is not used: permissions
 * are checked against the account in Dropzone's commands.
 */
public final class AccountUser implements User {

  private final Account account;
  private final int maxIdleSeconds;

  public AccountUser(Account account, int maxIdleSeconds) {
    this.account = account;
    this.maxIdleSeconds = maxIdleSeconds;
  }

  public Account account() {
    return account;
  }

  @Override
  public String getName() {
    return account.username();
  }

  /** Never available: the password stays with the user source. */
  @Override
  public String getPassword() {
    return null;
  }

  @Override
  public List<Authority> getAuthorities() {
    return List.of();
  }

  @Override
  public List<Authority> getAuthorities(Class<? extends Authority> type) {
    return List.of();
  }

  /** No MINA authority applies (no transfer-rate limits, no MINA write checks). */
  @Override
  public AuthorizationRequest authorize(AuthorizationRequest request) {
    return null;
  }

  @Override
  public int getMaxIdleTime() {
    return maxIdleSeconds;
  }

  @Override
  public boolean getEnabled() {
    return true;
  }

  @Override
  public String getHomeDirectory() {
    return "/";
  }
}
