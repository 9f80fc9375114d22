# postgres_exporter with the extra query (postgres-exporter-queries.yml) baked in: deployments cannot bind-mount files.
FROM quay.io/prometheuscommunity/postgres-exporter:v0.17.1
COPY postgres-exporter-queries.yml /etc/postgres-exporter/queries.yml
