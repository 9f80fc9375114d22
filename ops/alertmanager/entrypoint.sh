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
#   ALERTMANAGER_RENDERED  where the configuration with webhooks is written (default: /tmp/alertmanager.yml)
#   ALERTMANAGER_BIN       the Alertmanager binary (default: /bin/alertmanager, as in the prom/alertmanager image)
#
# POSIX sh (the image has busybox, not bash); no pipelines, so -e and -u are enough.
set -eu

here=$(cd -- "$(dirname -- "$0")" && pwd)
source_config=${ALERTMANAGER_CONFIG:-$here/alertmanager.yml}
rendered=${ALERTMANAGER_RENDERED:-/tmp/alertmanager.yml}
binary=${ALERTMANAGER_BIN:-/bin/alertmanager}

webhook() {
  # $1 URL, $2 send_resolved. A quote or a line break would break out of the YAML string.
  case $1 in
    *'"'* | *'
'*)
      echo "entrypoint.sh: error: a webhook URL contains a quote or a line break" >&2
      exit 2
      ;;
  esac
  printf '    webhook_configs:\n      - url: "%s"\n        send_resolved: %s\n' "$1" "$2"
}

if [ "${ALERTMANAGER_PAGE_URL_REQUIRED:-false}" = true ] && [ -z "${ALERTMANAGER_PAGE_URL:-}" ]; then
  echo "entrypoint.sh: error: ALERTMANAGER_PAGE_URL is empty, so critical alerts would page nobody." >&2
  echo "  Set the deployment's parameter alertmanager-page-url to the paging service's webhook and deploy again." >&2
  exit 2
fi

mkdir -p -- "$(dirname -- "$rendered")"
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
} <"$source_config" >"$rendered"

exec "$binary" --config.file="$rendered" "$@"
