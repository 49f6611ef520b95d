#!/bin/sh
# Enables Vault's transit engine and creates Dropzone's master key in the dev-mode Vault of the
# compose "vault" profile. Safe to run again.
set -eu

if vault secrets list -format=json | grep -q '"transit/"'; then
  echo "dropzone init: transit engine already enabled"
else
  vault secrets enable transit
fi
if vault read -format=json "transit/keys/${DROPZONE_VAULT_KEY:-dropzone}" >/dev/null 2>&1; then
  echo "dropzone init: transit key exists"
else
  vault write -f "transit/keys/${DROPZONE_VAULT_KEY:-dropzone}" type=aes256-gcm96
fi
