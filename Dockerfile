# EdgeProxy container image: build with the SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t edgeproxy .
#   docker run -p 8080:8080 -p 8081:8081 -e EdgeProxy__Admin__ApiKey=<16+ chars> -v $PWD/my-edge.json:/config/edge.json edgeproxy --config /config/edge.json
# The admin listener binds 0.0.0.0 here, so EdgeProxy refuses to start without EdgeProxy__Admin__ApiKey.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig EdgeProxy.sln ./
COPY config/ config/
COPY src/ src/
RUN dotnet publish src/EdgeProxy/EdgeProxy.csproj -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Listen on all interfaces inside the container; the admin listener serves health probes. The runtime reads its tiering
# delay from the environment only: 0 lets hot methods reach their optimized tier under load (docs/configuration.md).
ENV ASPNETCORE_ENVIRONMENT=Production \
    Kestrel__Endpoints__Proxy__Url=http://0.0.0.0:8080 \
    Kestrel__Endpoints__Admin__Url=http://0.0.0.0:8081 \
    EdgeProxy__Lifecycle__DrainDelay=00:00:05 \
    DOTNET_gcServer=1 \
    DOTNET_TC_CallCountingDelayMs=0
EXPOSE 8080 8081
# The aspnet image ships a non-root user "app" (UID 1654).
USER app
# The start-up warm-up runs before the admin listener opens (EdgeProxy:Warmup:Timeout, 10 s at most).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
    CMD ["dotnet", "/app/EdgeProxy.dll", "--healthcheck", "http://127.0.0.1:8081/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/EdgeProxy.dll"]
