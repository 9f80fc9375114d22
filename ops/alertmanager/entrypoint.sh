#!/bin/sh
# Starts Alertmanager on alertmanager.yml with a webhook under each receiver whose URL is set, in every mode
# (the Debian binary locally, the pinned image, the deployed image). Arguments go to Alertmanager.
#
#   ALERTMANAGER_PAGE_URL, ALERTMANAGER_TICKET_URL, ALERTMANAGER_WATCHDOG_URL
#                          the receivers' webhook URLs (secrets); empty: the receiver delivers nowhere
#   ALERTMANAGER_PAGE_URL_REQUIRED
#                          true (set when deployed): refuse to start while ALERTMANAGER_PAGE_URL is empty, since
#                          every critical alert would then page nobody
#   ALERTMANAGER_CONFIG    the committed configuration (default: next to this script)
#   ALERTMANAGER_RENDERED  where the configuration with webhooks is written (default: alertmanager.yml in a fresh
#                          private directory made by mktemp -d). Written owner-only, to a temporary name first, then
#                          moved into place, so a file or link someone planted at that path is replaced, not followed.
#   ALERTMANAGER_BIN       the Alertmanager binary (default: /bin/alertmanager, as in the prom/alertmanager image)
#
# POSIX sh (the image has busybox, not bash); no pipelines, so -e and -u are enough.
set -eu
# The rendered file holds the webhook URLs (secrets): nothing this script creates is readable by others.
umask 077

here=$(cd -- "$(dirname -- "$0")" && pwd)
source_config=${ALERTMANAGER_CONFIG:-$here/alertmanager.yml}
binary=${ALERTMANAGER_BIN:-/bin/alertmanager}

# Refuses a webhook URL that is not a plain http(s) address: a quote, a backslash (which escapes the closing quote),
# white space, a line break or another control character would break out of the YAML string or change its meaning.
# The URL itself is never printed: it is a secret.
check_url() {
  # $1 the variable's name, $2 its value.
  case $2 in
    http://?* | https://?*) ;;
    *)
      echo "entrypoint.sh: error: $1 must be an http:// or https:// URL." >&2
      exit 2
      ;;
  esac
  case $2 in
    *[\"\'\\\ ]* | *[[:space:]]* | *[[:cntrl:]]*)
      echo "entrypoint.sh: error: $1 contains a quote, a backslash, white space or a control character; percent-encode them (%22 %27 %5C %20)." >&2
      exit 2
      ;;
  esac
}

webhook() {
  # $1 URL, $2 send_resolved; checked by check_url before anything is written.
  printf '    webhook_configs:\n      - url: "%s"\n        send_resolved: %s\n' "$1" "$2"
}

for name in ALERTMANAGER_PAGE_URL ALERTMANAGER_TICKET_URL ALERTMANAGER_WATCHDOG_URL; do
  eval "value=\${$name:-}"
  [ -z "$value" ] || check_url "$name" "$value"
done

if [ "${ALERTMANAGER_PAGE_URL_REQUIRED:-false}" = true ] && [ -z "${ALERTMANAGER_PAGE_URL:-}" ]; then
  echo "entrypoint.sh: error: ALERTMANAGER_PAGE_URL is empty, so critical alerts would page nobody." >&2
  echo "  Set the deployment's parameter alertmanager-page-url to the paging service's webhook and deploy again." >&2
  exit 2
fi

if [ -n "${ALERTMANAGER_RENDERED:-}" ]; then
  rendered=$ALERTMANAGER_RENDERED
  mkdir -p -- "$(dirname -- "$rendered")"
else
  rendered=$(mktemp -d "${TMPDIR:-/tmp}/alertmanager.XXXXXXXX")/alertmanager.yml
fi
partial=$(mktemp "$rendered.XXXXXXXX")
{
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    case $line in
      # The watchdog's receiver wants the heartbeat only: a "resolved" would never come anyway.
      "  - name: page") [ -z "${ALERTMANAGER_PAGE_URL:-}" ] || webhook "$ALERTMANAGER_PAGE_URL" true ;;
      "  - name: ticket") [ -z "${ALERTMANAGER_TICKET_URL:-}" ] || webhook "$ALERTMANAGER_TICKET_URL" true ;;
      "  - name: watchdog") [ -z "${ALERTMANAGER_WATCHDOG_URL:-}" ] || webhook "$ALERTMANAGER_WATCHDOG_URL" false ;;
    esac
  done
} <"$source_config" >"$partial"
mv -f -- "$partial" "$rendered"

exec "$binary" --config.file="$rendered" "$@"
