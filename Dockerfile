# The worker as a container: multi-stage, non-root, health-checked, configured by environment variables, JSON logs
# on stdout. The base images are build arguments so tests (and air-gapped builders) can substitute local ones.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
# An offline build (packages lent from a cache) cannot fetch the vulnerability feed: it may turn the audit off.
ARG NUGET_AUDIT=true
WORKDIR /src
# Restore from the project files alone, so a code change does not download packages again.
COPY Directory.Build.props Directory.Packages.props appsettings.json ./
COPY src/Crawler.Worker/Crawler.Worker.csproj src/Crawler.Worker/
COPY src/Crawler.Storage/Crawler.Storage.csproj src/Crawler.Storage/
COPY src/Crawler.Extraction/Crawler.Extraction.csproj src/Crawler.Extraction/
RUN dotnet restore src/Crawler.Worker/Crawler.Worker.csproj -p:NuGetAudit=${NUGET_AUDIT}
COPY src/ src/
RUN dotnet publish src/Crawler.Worker/Crawler.Worker.csproj -c Release --no-restore -p:NuGetAudit=${NUGET_AUDIT} -o /app

# The ASP.NET runtime: the worker serves /health and /metrics with Kestrel.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app .
# /data holds the SQLite store when no PostgreSQL is configured; it must belong to the unprivileged user.
RUN mkdir -p /data && chown app /data
VOLUME /data
# The container's build is JIT-compiled (no PublishAot), and the JIT runtime reads GCgen0size only from the environment:
# 0x2000000 = 32 MiB, the young-generation budget the native build embeds (src/Crawler.Worker/Crawler.Worker.csproj).
ENV DOTNET_GCgen0size=2000000 \
    Storage__Sqlite__Path=/data/crawler.db \
    Crawler__Monitoring__Enabled=true \
    Crawler__Monitoring__Address=0.0.0.0 \
    Crawler__Monitoring__Port=9464 \
    Serilog__WriteTo__0__Name=Console \
    Serilog__WriteTo__0__Args__formatter="Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact"
EXPOSE 9464
# "app" (uid 1654) is the unprivileged user of the official .NET images.
USER app
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 CMD ["/app/crawler", "--health"]
ENTRYPOINT ["/app/crawler"]
