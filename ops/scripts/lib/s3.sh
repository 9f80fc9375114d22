# shellcheck shell=bash
# The S3 client for the ops scripts: awscli (Debian's 2.9 has no endpoint variable, so --endpoint-url).

AWS=""
AWS_ARGS=()

s3_client_from_environment() {
  AWS=${AWS_CLI:-/usr/bin/aws}
  command -v "$AWS" >/dev/null || die "aws CLI not found at $AWS (install awscli, or set AWS_CLI)"
  if [[ -n ${BACKUP_S3_ENDPOINT_URL:-} ]]; then
    AWS_ARGS+=(--endpoint-url "$BACKUP_S3_ENDPOINT_URL")
  fi
}

aws_s3() {
  "$AWS" "${AWS_ARGS[@]}" "$@"
}

# Splits s3://bucket/path into S3_BUCKET and S3_PATH (no trailing slash); returns 1 when $1 is no s3:// URI.
parse_s3_uri() {
  [[ $1 =~ ^s3://([^/]+)/?(.*)$ ]] || return 1
  # shellcheck disable=SC2034 # read by the scripts that source this file
  S3_BUCKET=${BASH_REMATCH[1]}
  # shellcheck disable=SC2034
  S3_PATH=${BASH_REMATCH[2]%/}
}
