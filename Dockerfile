# Gateway container image: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t gateway .
#   docker run -p 80:8080 -v gateway-state:/var/lib/gateway -v $PWD/config:/app/config:ro gateway
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Gateway/Gateway.csproj src/Gateway/
RUN dotnet restore src/Gateway/Gateway.csproj
COPY src/Gateway/ src/Gateway/
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY config/ ./config/
# The image's own HTTP_PORTS would only produce a warning: the gateway binds what its config says.
ENV ASPNETCORE_HTTP_PORTS= \
    Gateway__Listeners__http__Address=* \
    Gateway__Management__Address=* \
    Gateway__StateDirectory=/var/lib/gateway
RUN mkdir -p /var/lib/gateway && chown app:app /var/lib/gateway && chmod 700 /var/lib/gateway
USER app
VOLUME ["/var/lib/gateway"]
EXPOSE 8080
ENTRYPOINT ["dotnet", "Gateway.dll"]
