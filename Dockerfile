# Gateway's container image: built with the .NET SDK, run on the ASP.NET Core runtime as a non-root user, and at home
# on a read-only root filesystem: what the gateway keeps goes to the state volume, its logs to standard output.
#
#   docker build -t gateway .
#   docker run -d --name gateway -p 80:80 -p 443:443 -p 127.0.0.1:9090:9090 \
#     -v gateway-state:/var/lib/gateway -v "$PWD/my-config:/app/config:ro" --read-only --tmpfs /tmp gateway
#
# Configuration: /app/config/appsettings.json and /app/config/conf.d/*.json (mount your own config/ over the built-in
# one, which serves the demo page on 80, and on 443 with a self-signed certificate) and Gateway__... environment
# variables. The management listener (9090: /healthz, /readyz, /metrics) is for probes and Prometheus only; publish it
# to trusted networks.
# `docker stop` allows 10 seconds; the built-in config drains for 8. Give a longer DrainTimeout a longer `docker stop -t`.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Gateway/Gateway.csproj src/Gateway/
RUN dotnet restore src/Gateway/Gateway.csproj
COPY src/Gateway/ src/Gateway/
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY deploy/container/config/ ./config/
# ASPNETCORE_HTTP_PORTS is emptied because the gateway binds what its configuration says, nothing else.
ENV ASPNETCORE_HTTP_PORTS= \
    Gateway__StateDirectory=/var/lib/gateway
RUN mkdir -p /var/lib/gateway && chown "$APP_UID:$APP_UID" /var/lib/gateway && chmod 700 /var/lib/gateway
# The image's unprivileged user (uid 1654). Ports 80 and 443 need no capability: Docker lets containers bind low
# ports (net.ipv4.ip_unprivileged_port_start=0); on Kubernetes the manifests in deploy/ listen on 8080 and 8443.
USER $APP_UID
VOLUME ["/var/lib/gateway"]
EXPOSE 80 443
# No curl in the runtime image: the gateway asks its own management listener.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["dotnet", "Gateway.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "Gateway.dll"]
