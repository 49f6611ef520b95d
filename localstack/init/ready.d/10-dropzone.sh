#!/bin/bash
# Creates what Dropzone needs in LocalStack: the bucket, a lifecycle rule that removes abandoned
# multipart uploads, and a KMS key with a stable alias. Runs from LocalStack's ready.d hook (the
# same script for docker compose and for the Testcontainers test) and is safe to run again.
set -euo pipefail

bucket="${DROPZONE_BUCKET:-dropzone}"
prefix="${DROPZONE_PREFIX:-dropzone}"
alias="${DROPZONE_KMS_ALIAS:-alias/dropzone}"

if awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  echo "dropzone init: bucket $bucket exists"
else
  awslocal s3 mb "s3://$bucket"
fi

# Gateways abort their own failed uploads; this rule catches those of a crashed gateway.
awslocal s3api put-bucket-lifecycle-configuration --bucket "$bucket" --lifecycle-configuration "{
  \"Rules\": [{
    \"ID\": \"dropzone-abort-incomplete-uploads\",
    \"Status\": \"Enabled\",
    \"Filter\": {\"Prefix\": \"${prefix:+$prefix/}\"},
    \"AbortIncompleteMultipartUpload\": {\"DaysAfterInitiation\": 1}
  }]
}"

if awslocal kms describe-key --key-id "$alias" >/dev/null 2>&1; then
  echo "dropzone init: KMS key $alias exists"
else
  key_id="$(awslocal kms create-key --description "Dropzone master key" \
    --query KeyMetadata.KeyId --output text)"
  awslocal kms create-alias --alias-name "$alias" --target-key-id "$key_id"
fi

echo "dropzone init: bucket $bucket (prefix '$prefix') and KMS key $alias ready"
