# The blackbox exporter with the health-probe module baked in.
FROM prom/blackbox-exporter:v0.27.0
COPY blackbox.yml /etc/blackbox_exporter/config.yml
